#include "core/store/imagined_lineage.h"

#include "core/data/dialogue.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"
#include "core/util/error.h"

#include <vector>

namespace hw {
namespace {

nlohmann::json optionalNumber(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::optional<nlohmann::json> lineageOf(DialogueStore& store, int64_t id, int depth)
{
    const auto d = store.get(id);
    if (!d || depth > 8)
        return std::nullopt;
    nlohmann::json out;
    out["dialogue"] = {{"id", d->id},           {"uid", d->uid},
                       {"task", d->task},       {"source", d->source},
                       {"turns", d->turns.size()}, {"agent_turns", d->agentTurnCount()}};
    nlohmann::json labels = nlohmann::json::array();
    for (const auto& l : store.rewardLabels(id))
        labels.push_back({{"id", l.id},
                          {"value", optionalNumber(l.value)},
                          {"source", l.source},
                          {"provenance", l.provenance},
                          {"created_at", l.createdAt}});
    out["reward"] = optionalNumber(d->reward);
    out["reward_labels"] = labels;
    if (d->source == source::kImagined) {
        const nlohmann::json im = d->metadata.value("imagined", nlohmann::json::object());
        out["persona"] = {{"name", im.value("persona", std::string())},
                          {"description", im.value("persona_description", std::string())},
                          {"hidden", im.value("persona_hidden", nlohmann::json::object())}};
        out["target_outcome"] = im.contains("target_outcome")
                                    ? nlohmann::json{{"value", im["target_outcome"]},
                                                     {"anchor", im.value("target_anchor", std::string())}}
                                    : nlohmann::json();
        if (d->metadata.contains("initial_emotion_intensity"))
            out["initial_emotion_intensity"] = d->metadata["initial_emotion_intensity"];
        out["generator"] = im.value("generator", nlohmann::json::object());
        if (im.contains("critique") && im["critique"].is_object()) {
            nlohmann::json c = im["critique"];
            c["rewritten"] = c.contains("original_turns");
            out["critique"] = c;
        } else {
            out["critique"] = nullptr;
        }
        out["excluded"] = isRejectedImagined(d->metadata);
        return out;
    }
    if (d->parentId)
        if (auto parent = lineageOf(store, *d->parentId, depth + 1)) {
            out["derived_from"] = *parent;
            out["excluded"] = (*parent).value("excluded", false);
            return out;
        }
    return std::nullopt;
}

} // namespace

nlohmann::json imaginedLineage(Database& db, const std::string& uid, const std::string& task)
{
    std::vector<int64_t> ids;
    Statement st(db, "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE d.uid = ?1 "
                     "AND (?2 = '' OR t.name = ?2) ORDER BY d.id");
    st.bind(1, uid).bind(2, task);
    while (st.step())
        ids.push_back(st.int64(0));
    if (ids.empty())
        throw Error("no dialogue '" + uid + "'" + (task.empty() ? "" : " in task '" + task + "'") + " in " + db.path());
    if (ids.size() > 1)
        throw Error("dialogue uid '" + uid + "' is used by " + std::to_string(ids.size()) + " tasks: name the task");
    DialogueStore store(db);
    const auto out = lineageOf(store, ids[0], 0);
    if (!out)
        throw Error("dialogue '" + uid + "' was not imagined nor made from an imagined dialogue: it has no imagined "
                    "lineage");
    return *out;
}

} // namespace hw
