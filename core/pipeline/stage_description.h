#pragma once
// Everything one pipeline stage run needs, as plain data: what the CLI builds from its options,
// what the workbench's start-job dialog builds from its fields, what a job row stores verbatim
// (jobs.config), what `--json` prints, and what resume reads back. No secrets: an endpoint names
// the environment variable that holds its key, never the key.
//
//   {"version": 1, "kind": "regenerate", "task": "persuasion",
//    "backends": {"forward":      {"kind": "llm", "endpoint": "http://127.0.0.1:8000/v1/chat/completions",
//                                  "model": "m", "temperature": 0.7, "fewShots": 3, ...},
//                 "forward_hard": {"kind": "checkpoint", "checkpoint": "runs/hard/checkpoint"}},
//    "hardShare": 0.2, "seed": 0, "samples": 1, "concurrency": 8, "limit": 0, "dialogueIds": [],
//    "options": {"mode": "random", "turnBudget": 0}}
//
// The roles a stage needs and its own options (with their defaults) are declared by its entry in
// the stage registry (stage_registry.h).
#include "core/llm/endpoint_profile.h"

#include <cstdint>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

// Where one role of a stage runs.
struct StageBackend {
    // "llm": an OpenAI-compatible endpoint; "retrieval": the BM25 retrieval controller;
    // "checkpoint": a local model trained in the project (hindsight train-lm --role ...).
    std::string kind;
    // kind llm. What the replies depend on (part of the job's identity):
    std::string profile;            // the saved endpoint profile it came from ("" = ad-hoc URL)
    std::string endpoint;           // chat completions URL
    std::string model;
    double temperature = 0.7;
    int maxTokens = 1024;
    bool sendSeed = true;
    nlohmann::json extraBody = nlohmann::json::object();
    int fewShots = -1;              // examples per prompt; -1 = the stage's default
    // How to reach it (not part of the identity; a resume may change them):
    std::string apiKeyEnv;          // the NAME of the variable holding the key
    double timeoutS = 120.0;
    int maxAttempts = 5;
    int maxInFlight = 8;
    double pricePromptPer1k = 0.0;
    double priceCompletionPer1k = 0.0;
    // kind checkpoint:
    std::string checkpoint;         // checkpoint or run folder
    std::string device;             // "" = CUDA when available | cpu | cuda

    static StageBackend llm(const EndpointProfile& profile, int fewShots = -1);
    static StageBackend retrieval();
    static StageBackend local(const std::string& checkpoint, const std::string& device = "");

    // kind llm: the profile to call. The saved profile of that name when `profiles` has it (its
    // key variable and limits), with the recorded URL, model and sampling so cached calls replay;
    // otherwise an ad-hoc profile from the recorded fields.
    EndpointProfile endpointProfile(const EndpointProfiles& profiles) const;
    // One line for the jobs panel and messages: "llm m @ http://...", "retrieval", "checkpoint DIR".
    std::string summary() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageBackend, kind, profile, endpoint, model, temperature, maxTokens,
                                                sendSeed, extraBody, fewShots, apiKeyEnv, timeoutS, maxAttempts,
                                                maxInFlight, pricePromptPer1k, priceCompletionPer1k, checkpoint,
                                                device)

// Role names used by the built-in stages (a stage may define more).
namespace role {
inline constexpr const char* kController = "controller";
inline constexpr const char* kForward = "forward";
inline constexpr const char* kForwardHard = "forward_hard";
inline constexpr const char* kLabeler = "labeler";
inline constexpr const char* kGenerator = "generator";
inline constexpr const char* kCritic = "critic"; // reads an imagined dialogue against its persona
} // namespace role

struct StageDescription {
    int version = 1;
    std::string kind;                              // a registered stage: relabel, regenerate, ...
    std::string task;
    std::map<std::string, StageBackend> backends;  // by role
    double hardShare = 0.0;                        // share of samples from the hard forward model
    uint64_t seed = 0;
    int samples = 1;                               // completions per item
    int concurrency = 0;                           // items in flight; 0 = the LLM's maxInFlight, else 1
    int64_t limit = 0;                             // most items (0 = all)
    std::vector<int64_t> dialogueIds;              // hand-picked dialogues (empty = the stage's default)
    nlohmann::json options = nlohmann::json::object(); // the stage's own settings (its registry entry)

    // The backend of `role`; throws hw::Error naming the stage and role when it has none.
    const StageBackend& backend(const std::string& role) const;
    bool has(const std::string& role) const;
    // The JSON a job's identity is hashed from: without concurrency and each backend's
    // how-to-reach fields (key variable, timeouts, limits, prices, device).
    nlohmann::json identity() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageDescription, version, kind, task, backends, hardShare, seed,
                                                samples, concurrency, limit, dialogueIds, options)

// Reads a backend as jobs recorded it before descriptions existed: the CLI's {"kind":"retrieval"},
// {"kind":"local","checkpoint"}, {"kind":"reward_model","checkpoint"}, or an LLM's
// {"endpoint","model","profile","temperature","max_tokens","api_key_env"}. Null when it says nothing.
std::optional<StageBackend> backendFromLegacy(const nlohmann::json& recorded, int fewShots = -1);
// The backend of `legacyRole` in an old job's "stage" object: nested the CLI's way
// ({"controller": {...}}) or flat the workbench's way ({"endpoint", ..., "hard": {...}}).
std::optional<StageBackend> legacyStageBackend(const nlohmann::json& stage, const std::string& legacyRole,
                                               int fewShots = -1);

} // namespace hw
