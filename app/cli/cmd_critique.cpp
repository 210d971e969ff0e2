// hindsight critique: an LLM critic keeps, rewrites or rejects each imagined dialogue.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"
#include "app/cli/stage_backends.h"

#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"

#include <iostream>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight critique PROJECT.hwb --endpoint NAME|URL [--model M] [options]

Asks an LLM critic (prompts/custom/critique.txt; prompts/<task>/critique.txt wins) about each
imagined dialogue of the task that has no critique yet: is the agent too helpful or omniscient
(does it use the user's hidden state untold), does the persona break, does the text support the
target outcome? The verdict is kept with the dialogue (metadata.imagined.critique):
  keep      unchanged
  rewrite   the turns are replaced by the critic's version (the originals kept in the critique)
  reject    kept for reading, but left out of label, aggregate, relabel/regenerate and training sets
A reply that is not the expected JSON fails its item with the field named; nothing is written.
)") + kEndpointOptionsHelp + kJobOptionsHelp;

int runCritiqueCmd(const std::vector<std::string>& argv)
{
    auto valueOptions = endpointValueOptions();
    for (const auto& o : jobValueOptions())
        valueOptions.insert(o);
    const Args args(argv, valueOptions, jobFlags());
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path);
    const JobOptions job = jobOptionsFromArgs(args, db);
    SharedProject project(db);
    StageDescription stage;
    stage.kind = "critique";
    fillStageFromArgs(stage, args, job);
    CliProgress progress(!job.quiet);
    const JobSummary s = runStage(project, stage, hooksFor(progress));
    progress.finish();
    const int code = reportSummary(s, job.json);
    if (s.jobId > 0) {
        Statement st(db, "SELECT item_key, error FROM job_items WHERE job_id = ? AND status = 'failed' ORDER BY item_key");
        st.bind(1, s.jobId);
        while (st.step())
            std::cerr << "hindsight critique: item " << st.text(0) << " failed: " << st.text(1) << "\n";
    }
    return code;
}

const bool registered = registerCommand({"critique", "keep, rewrite or reject imagined dialogues with an LLM critic",
                                         kUsage, &runCritiqueCmd});

} // namespace
} // namespace hw::cli
