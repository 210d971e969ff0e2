#include "core/store/project_stats.h"

#include "core/store/database.h"

namespace hw {
namespace {

nlohmann::json jsonOrNull(const std::optional<double>& v)
{
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

} // namespace

ProjectStats computeStats(Database& db)
{
    ProjectStats s;
    {
        Statement st(db, "SELECT name FROM tasks ORDER BY id");
        while (st.step())
            s.tasks[st.text(0)];
    }
    {
        Statement st(db, "SELECT t.name, count(*), total(d.n_turns), count(d.reward), "
                         "avg(d.reward), min(d.reward), max(d.reward), sum(d.flags != 0) "
                         "FROM dialogues d JOIN tasks t ON t.id = d.task_id GROUP BY t.name");
        while (st.step()) {
            TaskStats& t = s.tasks[st.text(0)];
            t.dialogues = st.int64(1);
            t.turns = static_cast<int64_t>(st.real(2));
            t.labeled = st.int64(3);
            t.rewardMean = st.optReal(4);
            t.rewardMin = st.optReal(5);
            t.rewardMax = st.optReal(6);
            t.flagged = st.int64(7);
            s.dialogues += t.dialogues;
            s.turns += t.turns;
            s.labeled += t.labeled;
        }
    }
    {
        Statement st(db, "SELECT t.name, d.source, count(*), count(d.reward) FROM dialogues d "
                         "JOIN tasks t ON t.id = d.task_id GROUP BY t.name, d.source");
        while (st.step()) {
            s.tasks[st.text(0)].sources[st.text(1)] = st.int64(2);
            s.sources[st.text(1)] += st.int64(2);
        }
    }
    {
        Statement st(db, "SELECT t.name, d.reward_source, count(*) FROM dialogues d "
                         "JOIN tasks t ON t.id = d.task_id WHERE d.reward IS NOT NULL "
                         "GROUP BY t.name, d.reward_source");
        while (st.step())
            s.tasks[st.text(0)].rewardSources[st.text(1)] = st.int64(2);
    }
    return s;
}

nlohmann::json toJson(const ProjectStats& stats)
{
    nlohmann::json tasks = nlohmann::json::object();
    for (const auto& [name, t] : stats.tasks) {
        tasks[name] = {{"dialogues", t.dialogues},         {"turns", t.turns},
                       {"labeled", t.labeled},             {"flagged", t.flagged},
                       {"reward_mean", jsonOrNull(t.rewardMean)},
                       {"reward_min", jsonOrNull(t.rewardMin)},
                       {"reward_max", jsonOrNull(t.rewardMax)},
                       {"sources", t.sources},             {"reward_sources", t.rewardSources}};
    }
    return {{"dialogues", stats.dialogues},
            {"turns", stats.turns},
            {"labeled", stats.labeled},
            {"sources", stats.sources},
            {"tasks", tasks}};
}

} // namespace hw
