#pragma once
// Simulator faults: a simulated user that speaks as the agent, leaves its persona ("as an AI
// language model"), ends before the agent has spoken, or writes empty or repeated turns. They are
// counted per episode and shown next to the results, never scored silently.
#include "core/data/dialogue.h"
#include "core/data/task.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

namespace fault {
inline constexpr const char* kSpeaksAsAgent = "speaks_as_agent";
inline constexpr const char* kLeavesPersona = "leaves_persona";
inline constexpr const char* kEndsEarly = "ends_before_agent";
inline constexpr const char* kEmpty = "empty_turn";
inline constexpr const char* kRepeated = "repeated_turn";
} // namespace fault

// The faults of one new user turn `text` given the conversation before it (empty when none).
std::vector<std::string> userTurnFaults(const Task& task, const std::vector<Turn>& before, const std::string& text,
                                        bool wantsToEnd);

} // namespace hw
