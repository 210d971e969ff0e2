// hindsight import: reads ESConv, PersuasionForGood or chat-layout JSONL into a project.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"
#include "app/cli/command.h"

#include "core/io/import.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight import PROJECT.hwb --format esconv|p4g|jsonl PATH... [options]

Imports dialogues into an existing project (see 'hindsight init') as one transaction: when any
file is malformed the error names FILE:LINE and the project is left exactly as it was.
Importing the same data again adds nothing (dialogues are keyed by task and id).

Formats:
  esconv  ESConv, either release: the Hugging Face files train.json/valid.json/test.json (one
          JSON object per line) or the original JSON arrays ESConv.json / FailedESConv.json;
          or a folder holding them. Reward = initial - final emotion intensity (none when the
          final intensity is missing). FailedESConv dialogues are flagged "failed".
  p4g     PersuasionForGood: the folder holding full_dialog.csv and full_info.csv, or those
          two files. Reward = the persuadee's donation B6 clipped to [0, 2]; dialogues whose
          raw donation is outside [0, 2] are flagged.
  jsonl   one dialogue per line in the common chat layout:
            {"id": "...", "task": "counseling", "messages": [{"role": "user", "content": ".."},
             {"role": "assistant", "content": ".."}], "reward": 1.5, "metadata": {}}
          ("assistant"/"agent" = the agent; "system" messages are kept in metadata).

Options:
  --format F      esconv, p4g or jsonl (required)
  --task T        jsonl: task of lines that have no "task" field
  --json          print the result as JSON on stdout
  --quiet         no progress on stderr

Progress goes to stderr; Ctrl+C cancels and rolls back.
)";

int runImport(const std::vector<std::string>& argv)
{
    const Args args(argv, {"format", "task"}, {"json", "quiet"});
    const std::string& project = args.positional(0, "PROJECT.hwb");
    const auto formatName = args.value("format");
    if (!formatName)
        throw Error("missing --format (esconv, p4g or jsonl)");
    const ImportFormat format = importFormatFromString(*formatName);
    std::vector<std::string> paths(args.positional().begin() + 1, args.positional().end());
    if (paths.empty())
        throw Error("missing PATH: give the files (or folder) to import");

    ImportOptions options;
    options.defaultTask = args.value("task", "");
    Database db = Database::open(project);
    CliProgress progress(!args.flag("quiet"));
    const ImportResult r = importFiles(db, format, paths, options, progress.callback(), progress.stopToken());
    progress.finish();

    if (args.flag("json")) {
        std::cout << nlohmann::json(r).dump() << "\n";
        return 0;
    }
    std::cout << "imported " << r.inserted << " new dialogue" << (r.inserted == 1 ? "" : "s")
              << " into " << project << " (" << r.read << " read, " << r.duplicates
              << " already present; " << r.labeled << " labeled, " << r.unlabeled << " unlabeled, "
              << r.flagged << " flagged)\n";
    return 0;
}

const bool registered =
    registerCommand({"import", "import ESConv, PersuasionForGood or JSONL dialogues", kUsage, &runImport});

} // namespace
} // namespace hw::cli
