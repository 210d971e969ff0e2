#pragma once
// The backends of a pipeline stage from the command line: each role from the LLM endpoint, or
// from a local role so the method runs with no endpoint at all (paper roles, offline):
//   --controller retrieval       hindsight controller = BM25 retrieval from top-quartile dialogues
//   --forward-checkpoint DIR     forward model = a local LM (`hindsight train-lm --role forward`)
//   --hard-checkpoint DIR        the "hard" forward model (`--role forward-hard`)
//   --reward-checkpoint DIR      reward model = a local regression LM (`--role reward`)
// --endpoint is needed only by the roles left on the LLM. The result is a StageDescription
// (core/pipeline/stage_description.h), run through the stage registry like the workbench's jobs.
#include "app/cli/args.h"
#include "app/cli/pipeline_options.h"

#include "core/pipeline/stage_description.h"

#include <set>
#include <string>

namespace hw::cli {

extern const char* kLocalStageOptionsHelp;
std::set<std::string> localStageValueOptions();

// Sets the job fields of `description` (task, seed, limit, concurrency) from `job`, and a
// backend for each role it needs (stage_registry.h stageNeeds) from the endpoint and local-stage
// options; `fewShots` goes to its LLM forward / reward roles. Throws hw::Error naming the missing
// option ("missing --endpoint NAME|URL for the controller (or --controller retrieval)").
void fillStageFromArgs(StageDescription& description, const Args& args, const JobOptions& job, int fewShots = -1);

} // namespace hw::cli
