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
    return t;
}

} // namespace hw
