#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

// agent = the side we train (P4G persuader, ESConv supporter); user = the other side.
enum class Role { Agent, User };

std::string toString(Role role);            // "agent" | "user"
Role roleFromString(const std::string& s);  // throws hw::Error

struct Turn {
    int index = 0;                 // 0-based position in the dialogue
    Role role = Role::Agent;
    std::string text;
    nlohmann::json annotations = nlohmann::json::object(); // e.g. {"strategy": "Question"}
};

// Where a dialogue came from; regenerations and imagined dialogues carry lineage rows elsewhere.
namespace source {
inline constexpr const char* kEsconv = "esconv";
inline constexpr const char* kP4g = "p4g";
inline constexpr const char* kJsonl = "jsonl";
inline constexpr const char* kDemo = "demo";
inline constexpr const char* kRegeneration = "regeneration";
inline constexpr const char* kImagined = "imagined";
} // namespace source

// Bit flags shown in the browser.
enum DialogueFlag : uint32_t {
    kFlagNone = 0,
    kFlagRewardOutOfRange = 1u << 0, // raw reward outside the task's range (kept raw in metadata)
    kFlagFailed = 1u << 1,           // e.g. ESConv FailedESConv.json
    kFlagUnfinished = 1u << 2,       // labeler said the dialogue is unfinished
};

struct Dialogue {
    int64_t id = 0;                 // database row id (0 = not stored yet)
    std::string uid;                // stable external id (P4G B2, ESConv content hash, JSONL id)
    std::string task;               // Task::name
    std::string source;             // see namespace source
    std::string split;              // "train" | "valid" | "test" | "" (unknown)
    std::vector<Turn> turns;
    std::optional<double> reward;   // none = unlabeled
    std::string rewardSource;       // "dataset" | "llm" | "model" | "human" | "" when unlabeled
    uint32_t flags = kFlagNone;
    nlohmann::json metadata = nlohmann::json::object();
    std::optional<int64_t> parentId; // set for regenerations

    int agentTurnCount() const;
};

} // namespace hw
