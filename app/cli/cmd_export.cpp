// hindsight export: writes a project's dialogues as chat-layout JSON Lines.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"
#include "app/cli/command.h"

#include "core/io/jsonl_export.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight export PROJECT.hwb --format jsonl -o FILE [options]

Writes the project's dialogues, one per line, in the common chat layout used by TRL and OpenAI
fine-tuning files (the same layout 'hindsight import --format jsonl' reads back unchanged):
  {"id":"..","task":"counseling","messages":[{"role":"user","content":".."},
   {"role":"assistant","content":"..","annotations":{"strategy":"Question"}}],
   "reward":1.5,"metadata":{..},"reward_source":"dataset","source":"esconv","split":"train"}

Options:
  --format jsonl     output format (only jsonl for now; the default)
  -o, --output FILE  file to write (replaced atomically when done)
  --task T           only dialogues of task T
  --labeled-only     skip dialogues without a reward
  --plain            messages with only "role" and "content" (no "annotations"), the strict
                     OpenAI / TRL chat layout; turn annotations such as ESConv strategies are
                     left out (the other keys of a line stay)
  --quiet            no progress on stderr
)";

int runExport(const std::vector<std::string>& argvIn)
{
    std::vector<std::string> argv = argvIn;
    for (auto& a : argv)
        if (a == "-o")
            a = "--output";
    const Args args(argv, {"format", "output", "task"}, {"labeled-only", "plain", "quiet"});
    const std::string& project = args.positional(0, "PROJECT.hwb");
    if (args.positional().size() > 1)
        throw Error("unexpected argument '" + args.positional()[1] + "'");
    const std::string format = args.value("format", "jsonl");
    if (format != "jsonl")
        throw Error("unknown export format '" + format + "' (expected jsonl)");
    const auto output = args.value("output");
    if (!output)
        throw Error("missing -o FILE");

    ExportOptions options;
    options.task = args.value("task", "");
    options.labeledOnly = args.flag("labeled-only");
    if (args.flag("plain"))
        options.messages = ChatMessageStyle::Plain;
    Database db = Database::open(project, Database::Mode::ReadOnly);
    CliProgress progress(!args.flag("quiet"));
    const ExportResult r = exportJsonl(db, *output, options, progress.callback(), progress.stopToken());
    progress.finish();
    std::cout << "wrote " << r.dialogues << " dialogue" << (r.dialogues == 1 ? "" : "s") << " ("
              << r.turns << " turns) to " << r.path << "\n";
    return 0;
}

const bool registered =
    registerCommand({"export", "write dialogues as chat-layout JSONL", kUsage, &runExport});

} // namespace
} // namespace hw::cli
