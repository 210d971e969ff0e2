#pragma once
// The agent and simulator specs of `hindsight evaluate` (and the evaluation page):
//
//   agent      ckpt:DIR[,beta=B]                                   π_β, or ILQL with β
//              endpoint:PROFILE_OR_URL,model=M,prompt=plain|cot|procot|gdp-zero
//   simulator  endpoint:PROFILE_OR_URL[,model=M]
//              local:FORWARD_CKPT,reward=REWARD_CKPT
//
// Plain data, JSON-serialisable: stored in the evaluation job's description.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

struct EvalAgentSpec {
    std::string text;             // as written
    std::string kind;             // "ckpt" | "endpoint"
    std::string checkpoint;       // ckpt
    std::optional<double> beta;   // ckpt: ILQL decoding when set
    std::string endpoint;         // endpoint: profile name or base URL
    std::string model;            // "" = the profile's
    std::string prompt = "plain"; // plain | cot | procot | gdp-zero
    std::string name;             // short display name ("name=" or derived)
};

struct SimulatorSpec {
    std::string text;
    std::string kind;             // "endpoint" | "local"
    std::string endpoint;
    std::string model;
    std::string forward;          // local: forward-model checkpoint
    std::string reward;           // local: reward-model checkpoint
};

// Throw hw::Error naming the spec and what is wrong, with the accepted forms.
EvalAgentSpec parseAgentSpec(const std::string& text);
SimulatorSpec parseSimulatorSpec(const std::string& text);

void to_json(nlohmann::json& j, const EvalAgentSpec& s);
void to_json(nlohmann::json& j, const SimulatorSpec& s);

extern const char* const kAgentSpecHelp;
extern const char* const kSimulatorSpecHelp;

} // namespace hw
