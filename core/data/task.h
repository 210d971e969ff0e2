#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

enum class TaskKind { Counseling, Persuasion, Custom };

std::string toString(TaskKind kind);
TaskKind taskKindFromString(const std::string& s); // throws hw::Error

// A dialogue task and the meaning of its reward.
struct Task {
    std::string name;             // unique key: "counseling", "persuasion", or a custom name
    TaskKind kind = TaskKind::Custom;
    std::string agentRole;        // "supporter", "persuader"
    std::string userRole;         // "seeker", "persuadee"
    std::string rewardName;       // "emotion intensity drop", "donation ($)"
    double rewardMin = 0.0;
    double rewardMax = 1.0;
    std::string description;      // one paragraph, used in prompts and the zero-shot generator

    static Task counseling();     // ESConv: reward = initial - final intensity, range [-4, 4]
    static Task persuasion();     // P4G: reward = donation, range [0, 2]
};

} // namespace hw
