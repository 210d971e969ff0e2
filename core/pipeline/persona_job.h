#pragma once
// The personas stage: an LLM proposes `count` diverse simulated users for a task, each with the
// hidden state it keeps from the agent (prompts/<task>/personas.txt, else prompts/custom/personas.txt).
// The reply's first JSON array is read (persona_proposal.h); duplicates of existing personas or of
// each other are dropped and listed; the rest are appended to the task definition in the item's
// transaction. A reply that cannot be used fails the item and writes nothing.
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace hw {

class LlmClient;
class PromptLibrary;

struct ProposePersonasConfig {
    std::string task;
    int count = 8;
    uint64_t seed = 0;
    // What the job row stores (the StageDescription it was run from). Not serialised.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProposePersonasConfig, task, count, seed)

// One item, "propose". Its stored result and JobSummary::extra: "added" (names), "duplicates"
// ([{"name", "of", "reason"}]), "proposed" (count read from the reply); counts "personas",
// "duplicates".
JobSummary runProposePersonas(SharedProject& project, const ProposePersonasConfig& config, LlmClient& llm,
                              const PromptLibrary& prompts, const JobHooks& hooks);

} // namespace hw
