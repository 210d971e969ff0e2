#pragma once
#include <functional>
#include <string>
#include <vector>

namespace hw::cli {

// One CLI verb. Each verb lives in its own app/cli/cmd_<verb>.cpp and registers itself with
//   static const bool registered = registerCommand({"stats", "summary", usageText, &runStats});
// run() gets the arguments after the verb and returns the process exit code. It prints results
// on stdout, progress and errors on stderr; hw::Error escaping run() is reported by main.
struct Command {
    std::string name;
    std::string summary;  // one line, for `hindsight --help`
    std::string usage;    // full help, for `hindsight VERB --help`
    std::function<int(const std::vector<std::string>& args)> run;
};

bool registerCommand(Command command);
const std::vector<Command>& commands();

} // namespace hw::cli
