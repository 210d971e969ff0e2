#pragma once
// The critique stage: an LLM critic reads each imagined dialogue of a task that has no critique
// yet, with the persona (and its hidden state), the task and the target outcome
// (prompts/<task>/critique.txt, else prompts/custom/critique.txt), and answers in JSON:
//   {"verdict": "keep" | "rewrite" | "reject", "problems": ["..."],
//    "turns": [{"role": "agent" | "user", "text": "..."}, ...]}        (turns: rewrite only)
// It checks for an agent that is too helpful or omniscient (knows hidden state it was not told),
// a persona that breaks character, and an outcome the text does not support.
//
// Stored in the dialogue's metadata.imagined.critique, in the item's transaction:
//   {"verdict", "problems", "critic": {provenance of the call, "job_id"},
//    "original_turns": [{"role", "text"}, ...]}                         (rewrite only)
// A rewrite replaces the turns; a reject keeps the dialogue for the researcher but every later
// stage leaves it out (core/store/imagined_dialogue.h). A malformed reply fails the item and
// writes nothing.
#include "core/pipeline/job_runner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

class LlmClient;
class PromptLibrary;

struct CritiqueConfig {
    std::string task;
    int64_t limit = 0;
    uint64_t seed = 0;
    int concurrency = 8;
    // What the job row stores (the StageDescription it was run from). Not serialised.
    nlohmann::json description;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CritiqueConfig, task, limit, seed, concurrency)

struct CritiqueVerdict {
    std::string verdict;                 // keep | rewrite | reject
    std::vector<std::string> problems;
    std::vector<Turn> turns;             // rewrite: the new dialogue
};

// Reads a critic's reply (its first JSON object). Throws hw::Error naming `request` and the field:
// "<request>: reply.turns[1].role: 'narrator' is not agent or user".
CritiqueVerdict parseCritiqueReply(const std::string& reply, const std::string& request);

// Items are "c:<dialogue id>": imagined dialogues of the task without metadata.imagined.critique
// (or with one written by this job). extra counts: "kept", "rewritten", "rejected".
JobSummary runCritique(SharedProject& project, const CritiqueConfig& config, LlmClient& llm,
                       const PromptLibrary& prompts, const JobHooks& hooks);

} // namespace hw
