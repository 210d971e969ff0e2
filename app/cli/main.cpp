// hindsight: the headless command-line front end of Hindsight Workbench.
#include "app/cli/command.h"

#include "core/model/tokenizer.h"
#include "core/prompts/prompt_library.h"
#include "core/util/error.h"
#include "core/util/runtime_env.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace hw::cli {

static std::vector<Command>& registry()
{
    static std::vector<Command> r;
    return r;
}

bool registerCommand(Command command)
{
    registry().push_back(std::move(command));
    return true;
}

const std::vector<Command>& commands()
{
    auto& r = registry();
    std::sort(r.begin(), r.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
    return r;
}

} // namespace hw::cli

static void printHelp()
{
    std::cout << "usage: hindsight <command> [options]\n\n"
                 "Hindsight Workbench: offline RL on hindsight regenerations for dialogue agents.\n\n"
                 "commands:\n";
    for (const auto& c : hw::cli::commands())
        std::cout << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ')
                  << c.summary << "\n";
    std::cout << "\nRun 'hindsight <command> --help' for a command's options.\n";
}

int main(int argc, char** argv)
{
    // OpenBLAS's kernel choice and OpenMP's wait policy are read when the libraries load: set
    // them and start again once (core/util/runtime_env.h).
    hw::ensureRuntimeEnvironment(argc, argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "hindsight 0.1.0\n" << hw::runtimeEnvironmentSummary() << "\n";
        // Where the run-time files are looked up (an installed package or a build tree).
        std::cout << "prompts: " << hw::PromptLibrary::builtinDir() << "\n";
        try {
            std::cout << "sentencepiece module: " << hw::sentencepieceModulePath() << "\n";
        } catch (const std::exception& e) {
            std::cout << "sentencepiece module: not found (" << e.what() << ")\n";
        }
        return 0;
    }
    const auto& cmds = hw::cli::commands();
    const auto it = std::find_if(cmds.begin(), cmds.end(), [&](const auto& c) { return c.name == args[0]; });
    if (it == cmds.end()) {
        std::cerr << "hindsight: unknown command '" << args[0] << "' (see hindsight --help)\n";
        return 2;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()
        || std::find(rest.begin(), rest.end(), "-h") != rest.end()) {
        std::cout << it->usage;
        return 0;
    }
    try {
        return it->run(rest);
    } catch (const hw::Cancelled&) {
        std::cerr << "hindsight " << it->name << ": cancelled\n";
        return 130;
    } catch (const std::exception& e) {
        std::cerr << "hindsight " << it->name << ": error: " << e.what() << "\n";
        return 1;
    }
}
