#include "app/cli/dist_launch.h"

#include "app/cli/cli_progress.h"
#include "core/dist/local_launcher.h"
#include "core/util/error.h"

#include <filesystem>
#include <iostream>

namespace hw::cli {

std::optional<int> launchRanksIfAsked(const std::string& command, const std::vector<std::string>& argv,
                                      const Args& args)
{
    const auto n = args.value("nproc");
    if (!n)
        return std::nullopt;
    const long long nproc = args.intValue("nproc", 1);
    if (nproc < 1)
        throw Error("--nproc must be at least 1");
    if (const auto env = DistConfig::fromEnvironment(); env && env->distributed())
        throw Error("--nproc inside a distributed run (WORLD_SIZE=" + std::to_string(env->worldSize)
                    + " is set): start the ranks either way, not both");
    if (nproc == 1)
        return std::nullopt;
    if (!ProcessGroup::available())
        ProcessGroup(DistConfig{});   // throws the build's explanation

    LocalLaunchConfig lc;
    lc.program = std::filesystem::read_symlink("/proc/self/exe").string();
    lc.nproc = static_cast<int>(nproc);
    lc.args.push_back(command);
    for (size_t i = 0; i < argv.size(); ++i) {
        if (argv[i] == "--nproc") {
            ++i;   // and its value
            continue;
        }
        if (argv[i].rfind("--nproc=", 0) == 0)
            continue;
        lc.args.push_back(argv[i]);
    }
    // Each rank one thread unless asked otherwise: N ranks share this machine's cores.
    if (!std::getenv("OMP_NUM_THREADS"))
        lc.env.push_back({"OMP_NUM_THREADS", "1"});
    CliProgress signals(false);   // Ctrl+C -> SIGINT to every rank: they stop together, rank 0 checkpoints
    const auto r = launchLocalRanks(lc, signals.stopToken());
    if (r.ok)
        return 0;
    if (signals.stopToken().stopRequested())
        return 130;
    std::cerr << "hindsight " << command << ": distributed run failed: " << r.message << "; the other ranks were stopped\n";
    return 1;
}

std::unique_ptr<ProcessGroup> joinProcessGroupFromEnvironment()
{
    const auto c = DistConfig::fromEnvironment();
    if (!c || !c->distributed())
        return nullptr;
    return std::make_unique<ProcessGroup>(*c);
}

} // namespace hw::cli
