#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

enum class TaskKind { Counseling, Persuasion, Custom };

std::string toString(TaskKind kind);
TaskKind taskKindFromString(const std::string& s); // throws hw::Error

// How a task's reward is obtained.
enum class RewardSource {
    UserRating, // the user (or a simulated user) gives a rating at the end: the outcome question
    Judge,      // a judge reads the conversation and scores it with the rubric
};
std::string toString(RewardSource source);            // "user_rating", "judge"
RewardSource rewardSourceFromString(const std::string& s); // throws hw::Error

// One anchor of a reward rubric: what a score means ("0: the student still holds the misconception").
struct RewardAnchor {
    double score = 0.0;
    std::string meaning;
};

// One turn of a few-shot example.
struct ExampleTurn {
    std::string role; // "agent" | "user"
    std::string text;
};

// A few-shot example: a short dialogue and the reward it earned.
struct TaskExample {
    std::vector<ExampleTurn> turns;
    double reward = 0.0;
    std::string note; // why it earned that reward (optional)
};

// A simulated user the imagine and evaluation stages can play. `hidden` is what the persona knows,
// wants and hides from the agent (a JSON object, e.g. {"knowledge": ..., "preferences": ...,
// "willingness": ...}; counseling personas may hold "initial_intensity" 1-5): the imagined
// dialogue's user plays it and the critique checks that the agent does not know it untold.
struct TaskPersona {
    std::string name;
    std::string description;
    nlohmann::json hidden = nlohmann::json::object();
};

// A dialogue task and the meaning of its reward: a task definition (core/data/task_json.h reads
// and writes it as JSON; the project stores it in the tasks table). Counseling and persuasion are
// two built-in instances; every other task is data.
struct Task {
    std::string name;             // unique key: "counseling", "persuasion", or a custom name
    TaskKind kind = TaskKind::Custom;
    std::string agentRole;        // "supporter", "persuader"
    std::string userRole;         // "seeker", "persuadee"
    std::string rewardName;       // what the reward measures: "emotion intensity drop", "donation ($)"
    double rewardMin = 0.0;
    double rewardMax = 1.0;
    std::string description;      // one paragraph, used in prompts and the zero-shot generator

    // The rest of the definition. Empty/zero in tasks made before definitions existed (a custom
    // task created by an import); taskDefinitionProblems() says what a usable definition lacks.
    std::string agentRoleDescription; // one sentence: who the agent is and what it tries to do
    std::string userRoleDescription;  // one sentence: who the user is and what they hide or want
    std::string opener = "agent";     // who speaks first: "agent" | "user"
    // Who opens a conversation: the built-ins as the datasets do (P4G: the persuader; ESConv: the
    // seeker), a task defined as data by its opener.
    bool agentOpens() const { return kind == TaskKind::Custom ? opener != "user" : kind != TaskKind::Counseling; }
    int turnCap = 0;                  // most turns (agent + user) in a dialogue; 0 = not set
    RewardSource rewardSource = RewardSource::UserRating;
    std::string rewardRubric;         // how the reward is judged or how the user rates
    std::vector<RewardAnchor> rewardAnchors; // scores within [rewardMin, rewardMax]
    std::string outcomeQuestion;      // put to a simulated user at the end; its answer is the reward
    std::vector<TaskExample> examples;
    std::vector<TaskPersona> personas;

    bool builtin() const { return kind != TaskKind::Custom && name == toString(kind); }

    static Task counseling();     // ESConv: reward = initial - final intensity, range [-4, 4]
    static Task persuasion();     // P4G: reward = donation, range [0, 2]
    // The built-in task of that name, or nullopt.
    static std::optional<Task> builtinNamed(const std::string& name);
};

} // namespace hw
