#pragma once
// kill -9 at chosen points of a CLI process: the process is started with its output in files,
// polled for an event (a row in the project, a staging folder on disk), and sent SIGKILL the
// moment the event is seen: no handler runs, nothing is flushed, as in a power cut or an OOM kill.
// Which points are chosen comes from a seeded generator (killSeed()), so a failure is reproducible
// with HW_KILL_SEED=N.
#include "test_paths.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace hwtest {

// The seed of the kill points: HW_KILL_SEED, or a fixed default so CI is repeatable.
inline uint64_t killSeed()
{
    const char* v = std::getenv("HW_KILL_SEED");
    return v && *v ? std::strtoull(v, nullptr, 10) : 20261207u;
}

struct KillRun {
    pid_t pid = -1;
    std::string outPath;
    std::string errPath;
    bool killed = false;   // ended by our SIGKILL
    int exitCode = -1;     // when it ended by itself (-2: by another signal)

    std::string out() const { return slurp(outPath); }
    std::string err() const { return slurp(errPath); }
    static std::string slurp(const std::string& path)
    {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

// Starts `hindsight ARGS...` with stdout/stderr in LOGBASE.out / LOGBASE.err.
inline KillRun spawnCli(const std::vector<std::string>& args, const std::string& logBase)
{
    KillRun r;
    r.outPath = logBase + ".out";
    r.errPath = logBase + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, r.outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, r.errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> all{cliPath()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&r.pid, all[0].c_str(), &actions, nullptr, argv.data(), environ) != 0)
        r.pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return r;
}

// Polls `event` (every 2 ms) until it holds, then SIGKILLs the process; or until the process ends
// by itself. Gives up (SIGKILL, killed = false, exitCode = -3) after `timeoutMs`.
inline void killWhen(KillRun& r, const std::function<bool()>& event, int timeoutMs = 300000)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    int status = 0;
    while (true) {
        const pid_t done = waitpid(r.pid, &status, WNOHANG);
        if (done == r.pid) {
            r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -2;
            return;
        }
        if (event()) {
            ::kill(r.pid, SIGKILL);
            waitpid(r.pid, &status, 0);
            r.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            if (!r.killed)
                r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -2;
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(r.pid, SIGKILL);
            waitpid(r.pid, &status, 0);
            r.exitCode = -3;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

// Waits for the process to end by itself (SIGKILL after `timeoutMs`, exitCode -3).
inline void waitExit(KillRun& r, int timeoutMs = 600000)
{
    killWhen(r, [] { return false; }, timeoutMs);
}

// The checkpoint staging folders ("step-N.tmp-PID") below `dir`: one exists while a checkpoint
// is being written (and stays behind when the writer was killed).
inline std::vector<std::string> checkpointStagingFolders(const std::string& dir)
{
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename().string().find(".tmp-") != std::string::npos)
            found.push_back(it->path().string());
    }
    return found;
}

// True when a checkpoint write started below `dir` that is not one of `before` (left over).
inline bool newCheckpointBeingWritten(const std::string& dir, const std::vector<std::string>& before)
{
    for (const auto& f : checkpointStagingFolders(dir))
        if (std::find(before.begin(), before.end(), f) == before.end())
            return true;
    return false;
}

} // namespace hwtest
