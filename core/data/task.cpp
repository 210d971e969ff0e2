#include "core/data/task.h"

#include "core/util/error.h"

namespace hw {

std::string toString(TaskKind kind)
{
    switch (kind) {
    case TaskKind::Counseling: return "counseling";
    case TaskKind::Persuasion: return "persuasion";
    case TaskKind::Custom: return "custom";
    }
    return "custom";
}

TaskKind taskKindFromString(const std::string& s)
{
    if (s == "counseling") return TaskKind::Counseling;
    if (s == "persuasion") return TaskKind::Persuasion;
    if (s == "custom") return TaskKind::Custom;
    throw Error("unknown task kind '" + s + "' (expected counseling, persuasion or custom)");
}

std::string toString(RewardSource source)
{
    return source == RewardSource::Judge ? "judge" : "user_rating";
}

RewardSource rewardSourceFromString(const std::string& s)
{
    if (s == "user_rating") return RewardSource::UserRating;
    if (s == "judge") return RewardSource::Judge;
    throw Error("unknown reward source '" + s + "' (expected user_rating or judge)");
}

Task Task::counseling()
{
    Task t;
    t.name = "counseling";
    t.kind = TaskKind::Counseling;
    t.agentRole = "supporter";
    t.userRole = "seeker";
    t.rewardName = "emotion intensity drop";
    t.rewardMin = -4.0;
    t.rewardMax = 4.0;
    t.description =
        "Emotional support conversation: a supporter talks with a help seeker who is in emotional "
        "distress and tries to reduce the seeker's negative emotional intensity (rated 1-5).";
    // The rest describes what prompts/counseling/ already does; the prompt files stay in charge.
    t.agentRoleDescription = "A trained emotional supporter who listens, explores the problem and offers comfort "
                             "and suggestions.";
    t.userRoleDescription = "A person in emotional distress about a personal problem who rated their negative "
                            "emotional intensity from 1 to 5 before the chat.";
    t.opener = "agent";
    t.turnCap = 20;
    t.rewardSource = RewardSource::UserRating;
    t.rewardRubric = "The seeker rates their negative emotional intensity from 1 (mild) to 5 (overwhelming) before "
                     "and after the conversation; the reward is the initial rating minus the final one.";
    t.rewardAnchors = {{-4.0, "the seeker feels much worse (from 1 to 5)"},
                       {0.0, "no change in emotional intensity"},
                       {4.0, "the seeker feels much better (from 5 to 1)"}};
    t.outcomeQuestion = "How intense is your negative emotion now, from 1 (mild) to 5 (overwhelming)?";
    return t;
}

Task Task::persuasion()
{
    Task t;
    t.name = "persuasion";
    t.kind = TaskKind::Persuasion;
    t.agentRole = "persuader";
    t.userRole = "persuadee";
    t.rewardName = "donation ($)";
    t.rewardMin = 0.0;
    t.rewardMax = 2.0;
    t.description =
        "Persuasion for good: a persuader tries to convince a persuadee to donate some or all of "
        "their $2 task payment to the charity Save the Children.";
    t.agentRoleDescription = "A worker for Save the Children who chats with a stranger online and tries to get a "
                             "donation.";
    t.userRoleDescription = "A crowd worker paid $2 for the task whose attitude to charity is hidden from the "
                            "persuader.";
    t.opener = "agent";
    t.turnCap = 20;
    t.rewardSource = RewardSource::UserRating;
    t.rewardRubric = "At the end the persuadee decides how much of their $2 task payment to donate; the reward is "
                     "that amount in dollars.";
    t.rewardAnchors = {{0.0, "no donation"}, {1.0, "half of the payment"}, {2.0, "the whole payment"}};
    t.outcomeQuestion = "How much of your $2 task payment do you donate to Save the Children (from $0 to $2)?";
    return t;
}

std::optional<Task> Task::builtinNamed(const std::string& name)
{
    if (name == "counseling")
        return counseling();
    if (name == "persuasion")
        return persuasion();
    return std::nullopt;
}

} // namespace hw
