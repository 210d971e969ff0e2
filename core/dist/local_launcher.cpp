#include "core/dist/local_launcher.h"

#include "core/util/error.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char** environ;

namespace hw {

int freeLocalPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw Error(std::string("cannot open a socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw Error("cannot find a free local port: " + why);
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

namespace {

std::string describe(int rank, int status)
{
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = sig == SIGKILL ? " (SIGKILL)" : sig == SIGSEGV ? " (SIGSEGV)" : sig == SIGTERM ? " (SIGTERM)"
                         : sig == SIGABRT ? " (SIGABRT)" : "";
        return "rank " + std::to_string(rank) + " was killed by signal " + std::to_string(sig) + name;
    }
    return "rank " + std::to_string(rank) + " exited with code " + std::to_string(WEXITSTATUS(status));
}

} // namespace

LocalLaunchResult launchLocalRanks(const LocalLaunchConfig& c, StopToken stop)
{
    if (c.nproc < 1)
        throw Error("--nproc must be at least 1");
    if (c.program.empty())
        throw Error("launchLocalRanks: no program");
    const int port = c.masterPort > 0 ? c.masterPort : freeLocalPort();

    // Environment of rank r: the parent's, without the variables we set, plus ours.
    const char* const ours[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
    std::vector<std::string> base;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        bool skip = false;
        for (const char* o : ours)
            skip = skip || key == o;
        for (const auto& [k, v] : c.env)
            skip = skip || key == k;
        if (!skip)
            base.push_back(kv);
    }
    for (const auto& [k, v] : c.env)
        base.push_back(k + "=" + v);

    std::vector<pid_t> pids(static_cast<size_t>(c.nproc), -1);
    LocalLaunchResult result;
    result.exitCodes.assign(static_cast<size_t>(c.nproc), 0);
    const pid_t parent = ::getpid();
    auto killAll = [&](int sig) {
        for (auto pid : pids)
            if (pid > 0)
                ::kill(pid, sig);
    };

    for (int r = 0; r < c.nproc; ++r) {
        std::vector<std::string> envs = base;
        envs.push_back("RANK=" + std::to_string(r));
        envs.push_back("LOCAL_RANK=" + std::to_string(r));
        envs.push_back("WORLD_SIZE=" + std::to_string(c.nproc));
        envs.push_back("LOCAL_WORLD_SIZE=" + std::to_string(c.nproc));
        envs.push_back("MASTER_ADDR=" + c.masterAddr);
        envs.push_back("MASTER_PORT=" + std::to_string(port));
        std::vector<char*> envp, argv;
        for (auto& e : envs)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        std::string prog = c.program;
        argv.push_back(prog.data());
        std::vector<std::string> args = c.args;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);

        const pid_t pid = ::fork();
        if (pid < 0) {
            const std::string why = std::strerror(errno);
            killAll(SIGKILL);
            for (auto p : pids)
                if (p > 0)
                    ::waitpid(p, nullptr, 0);
            throw Error("cannot start rank " + std::to_string(r) + ": " + why);
        }
        if (pid == 0) {
#ifdef __linux__
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(127);
#endif
            // Its own process group: a Ctrl+C on the terminal reaches the launcher only, which
            // forwards exactly one SIGINT (a second one would kill the rank before its checkpoint).
            ::setpgid(0, 0);
            if (r > 0 && !c.otherRanksStdout) {
                const int devnull = ::open("/dev/null", O_WRONLY);
                if (devnull >= 0) {
                    ::dup2(devnull, STDOUT_FILENO);
                    ::close(devnull);
                }
            }
            ::execve(argv[0], argv.data(), envp.data());
            const char msg[] = "hindsight: cannot start a rank (execve failed)\n";
            [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
            ::_exit(127);
        }
        pids[static_cast<size_t>(r)] = pid;
    }

    using Clock = std::chrono::steady_clock;
    int running = c.nproc;
    bool stopForwarded = false;
    Clock::time_point killAt{};
    bool terminating = false;
    while (running > 0) {
        bool reaped = false;
        for (int r = 0; r < c.nproc; ++r) {
            const pid_t pid = pids[static_cast<size_t>(r)];
            if (pid <= 0)
                continue;
            int status = 0;
            const pid_t got = ::waitpid(pid, &status, WNOHANG);   // only our children (not QProcess's)
            if (got != pid)
                continue;
            reaped = true;
            pids[static_cast<size_t>(r)] = -1;
            --running;
            result.exitCodes[static_cast<size_t>(r)] = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
            const bool failed = WIFSIGNALED(status) || WEXITSTATUS(status) != 0;
            if (failed && result.failedRank < 0 && !terminating) {
                result.failedRank = r;
                result.message = describe(r, status);
                // The others would fail at their next collective anyway; don't wait for it.
                killAll(SIGTERM);
                terminating = true;
                killAt = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(c.graceSeconds * 1000));
            }
        }
        if (reaped)
            continue;
        if (!stopForwarded && stop.stopRequested()) {
            killAll(SIGINT);
            stopForwarded = true;
        }
        if (terminating && Clock::now() >= killAt) {
            killAll(SIGKILL);
            killAt = Clock::now() + std::chrono::hours(24);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.ok = result.failedRank < 0;
    if (result.ok)
        result.message = std::to_string(c.nproc) + " ranks finished";
    return result;
}

} // namespace hw
