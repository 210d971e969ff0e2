#include "core/train/training_set.h"

#include "core/store/original_dialogue.h"

#include "core/data/dialogue.h"
#include "core/eval/simulated_source.h"
#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/store/imagined_dialogue.h"
#include "core/store/provenance_key.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace hw {

namespace {

const std::vector<std::string> kPresets = {"sft", "rft", "ilql-orig", "ilql-zero-shot", "hindsight-rl", "custom"};

uint64_t fnv1a(const std::string& s)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool sourceMatches(const std::string& source, const std::vector<std::string>& wanted)
{
    const std::string kind = sourceKind(source);
    if (wanted.empty())
        return kind != source::kSimulated; // evaluation transcripts only when asked for by name
    for (const auto& w : wanted)
        if (w == source || w == kind)
            return true;
    return false;
}

std::string resolveTask(Database& db, const std::string& wanted)
{
    if (!wanted.empty()) {
        Statement st(db, "SELECT count(*) FROM tasks WHERE name = ?");
        st.bind(1, wanted);
        st.step();
        if (st.int64(0) == 0)
            throw Error(db.path() + ": no task named '" + wanted + "'");
        return wanted;
    }
    std::vector<std::string> withData;
    Statement st(db, "SELECT t.name FROM tasks t WHERE EXISTS (SELECT 1 FROM dialogues d WHERE d.task_id = t.id) "
                     "ORDER BY t.name");
    while (st.step())
        withData.push_back(st.text(0));
    if (withData.size() == 1)
        return withData[0];
    if (withData.empty())
        throw Error(db.path() + ": the project has no dialogues (import a corpus first)");
    std::string names;
    for (const auto& n : withData)
        names += (names.empty() ? "" : ", ") + n;
    throw Error(db.path() + ": the project has several tasks (" + names + "): choose one with --task");
}

// Counts records per stable provenance key (core/store/provenance_key.h), largest group first.
class ProvenanceGroups {
public:
    void add(const nlohmann::json& key, bool hard)
    {
        auto& g = m_groups[key.dump()];
        if (g.count == 0)
            g.key = key;
        ++g.count;
        g.hard += hard ? 1 : 0;
    }
    // [{<name>: key, count, hard}] ("hard" only when some were made by a hard model).
    nlohmann::json toJson(const char* name) const
    {
        std::vector<const Group*> order;
        for (const auto& [k, g] : m_groups)
            order.push_back(&g);
        std::stable_sort(order.begin(), order.end(), [](const Group* a, const Group* b) { return a->count > b->count; });
        nlohmann::json out = nlohmann::json::array();
        for (const Group* g : order) {
            nlohmann::json row = {{name, g->key}, {"count", g->count}};
            if (g->hard > 0)
                row["hard"] = g->hard;
            out.push_back(std::move(row));
        }
        return out;
    }

private:
    struct Group {
        nlohmann::json key;
        int64_t count = 0;
        int64_t hard = 0;
    };
    std::map<std::string, Group> m_groups;
};

nlohmann::json optionalJson(const std::optional<double>& v)
{
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

} // namespace

std::string sourceKind(const std::string& source)
{
    if (isOriginalSource(source))
        return source_kind::kOriginal;
    if (source == source::kSimulated)
        return source::kSimulated; // its own kind, in no preset
    return source == source::kRegeneration ? source_kind::kRegeneration : source_kind::kImagined;
}

std::vector<std::string> TrainingSetSpec::presetNames() { return kPresets; }

TrainingSetSpec TrainingSetSpec::fromPreset(const std::string& preset, const std::string& task)
{
    TrainingSetSpec s;
    s.preset = preset;
    s.task = task;
    if (preset == "sft") {
        s.sources = {source_kind::kOriginal};
        s.minQuantile = 0.75;
    } else if (preset == "rft") {
        s.sources = {source_kind::kOriginal, source_kind::kRegeneration};
        s.minQuantile = 0.75;
    } else if (preset == "ilql-orig") {
        s.sources = {source_kind::kOriginal};
    } else if (preset == "ilql-zero-shot") {
        s.sources = {source_kind::kImagined};
    } else if (preset == "hindsight-rl") {
        s.sources = {source_kind::kOriginal, source_kind::kRegeneration};
    } else if (preset != "custom") {
        std::string names;
        for (const auto& n : kPresets)
            names += (names.empty() ? "" : ", ") + n;
        throw Error("unknown training set preset '" + preset + "' (presets: " + names + ")");
    }
    return s;
}

void TrainingSetSpec::validate() const
{
    if (std::find(kPresets.begin(), kPresets.end(), preset) == kPresets.end())
        throw Error("training set: unknown preset '" + preset + "'");
    auto inUnit = [](const std::optional<double>& q) { return !q || (*q >= 0.0 && *q <= 1.0); };
    if (!inUnit(minQuantile) || !inUnit(maxQuantile))
        throw Error("training set: reward quantiles must be in [0, 1]");
    if (minQuantile && maxQuantile && *minQuantile >= *maxQuantile)
        throw Error("training set: the minimum reward quantile must be below the maximum");
    if ((minQuantile || maxQuantile) && !labeledOnly)
        throw Error("training set: a reward quantile needs labelled dialogues only");
}

void to_json(nlohmann::json& j, const TrainingSetSpec& s)
{
    j = {{"preset", s.preset},
         {"task", s.task},
         {"sources", s.sources},
         {"min_quantile", optionalJson(s.minQuantile)},
         {"max_quantile", optionalJson(s.maxQuantile)},
         {"labeled_only", s.labeledOnly},
         {"include_hard", s.includeHard}};
}

void from_json(const nlohmann::json& j, TrainingSetSpec& s)
{
    s = TrainingSetSpec{};
    s.preset = j.value("preset", s.preset);
    s.task = j.value("task", s.task);
    s.sources = j.value("sources", s.sources);
    if (j.contains("min_quantile") && !j.at("min_quantile").is_null())
        s.minQuantile = j.at("min_quantile").get<double>();
    if (j.contains("max_quantile") && !j.at("max_quantile").is_null())
        s.maxQuantile = j.at("max_quantile").get<double>();
    s.labeledOnly = j.value("labeled_only", s.labeledOnly);
    s.includeHard = j.value("include_hard", s.includeHard);
}

std::vector<size_t> selectCandidates(const std::vector<TrainingSetCandidate>& candidates, const TrainingSetSpec& spec)
{
    spec.validate();
    std::vector<size_t> pool;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (!sourceMatches(c.source, spec.sources))
            continue;
        if (spec.labeledOnly && (!c.reward || !std::isfinite(*c.reward)))
            continue;
        if (!spec.includeHard && c.hard)
            continue;
        pool.push_back(i);
    }
    if (spec.minQuantile || spec.maxQuantile) {
        std::vector<size_t> ranked = pool;
        std::sort(ranked.begin(), ranked.end(), [&](size_t a, size_t b) {
            const auto& x = candidates[a];
            const auto& y = candidates[b];
            if (*x.reward != *y.reward)
                return *x.reward < *y.reward;
            const auto hx = fnv1a(x.uid), hy = fnv1a(y.uid);
            return hx != hy ? hx < hy : x.id < y.id;
        });
        const auto n = static_cast<double>(ranked.size());
        const double lo = spec.minQuantile.value_or(0.0), hi = spec.maxQuantile.value_or(1.0);
        const auto begin = static_cast<size_t>(n - std::ceil(n * (1.0 - lo) - 1e-9));
        const auto end = static_cast<size_t>(std::ceil(n * hi - 1e-9));
        pool.assign(ranked.begin() + static_cast<std::ptrdiff_t>(std::min(begin, ranked.size())),
                    ranked.begin() + static_cast<std::ptrdiff_t>(std::min(std::max(begin, end), ranked.size())));
    }
    std::sort(pool.begin(), pool.end(), [&](size_t a, size_t b) { return candidates[a].id < candidates[b].id; });
    return pool;
}

TrainingSetSelection selectTrainingSet(Database& db, const TrainingSetSpec& spec)
{
    spec.validate();
    TrainingSetSelection out;
    out.task = resolveTask(db, spec.task);
    std::vector<TrainingSetCandidate> candidates;
    Statement st(db, "SELECT d.id, d.uid, d.source, d.reward, COALESCE(g.hard, 0) FROM dialogues d "
                     "JOIN tasks t ON t.id = d.task_id LEFT JOIN regenerations g ON g.dialogue_id = d.id "
                     "WHERE t.name = ? AND " + notRejectedImaginedSql("d") + " ORDER BY d.id");
    st.bind(1, out.task);
    while (st.step())
        candidates.push_back({st.int64(0), st.text(1), st.text(2), st.optReal(3), st.int64(4) != 0});
    const auto chosen = selectCandidates(candidates, spec);
    if (chosen.empty())
        throw Error(db.path() + ": no dialogue of task '" + out.task + "' matches the training set '" + spec.preset
                    + "' (sources, labels, reward quantile)");

    std::map<std::string, int64_t> byKind, bySource;
    int64_t hard = 0;
    double rmin = INFINITY, rmax = -INFINITY, rsum = 0;
    int64_t labelled = 0;
    for (size_t i : chosen) {
        const auto& c = candidates[i];
        out.dialogueIds.push_back(c.id);
        ++byKind[sourceKind(c.source)];
        ++bySource[c.source];
        hard += c.hard ? 1 : 0;
        if (c.reward) {
            rmin = std::min(rmin, *c.reward);
            rmax = std::max(rmax, *c.reward);
            rsum += *c.reward;
            ++labelled;
        }
    }
    nlohmann::json reward = nlohmann::json::object();
    if (labelled > 0)
        reward = {{"min", rmin}, {"max", rmax}, {"mean", rsum / static_cast<double>(labelled)}, {"labelled", labelled}};
    const std::set<int64_t> ids(out.dialogueIds.begin(), out.dialogueIds.end());
    // Regenerations: which models and prompts made them, grouped by the stable part of the
    // generator record (one entry per model + prompt, not per call), and which suggestions drove
    // them.
    nlohmann::json generators = nlohmann::json::array();
    nlohmann::json suggestions = nlohmann::json::object();
    if (byKind.count(source_kind::kRegeneration)) {
        ProvenanceGroups gens;
        std::set<int64_t> suggestionIds;
        int64_t withoutSuggestion = 0;
        Statement g(db, "SELECT g.dialogue_id, g.generator, g.hard, g.suggestion_id FROM regenerations g "
                        "JOIN dialogues d ON d.id = g.dialogue_id JOIN tasks t ON t.id = d.task_id WHERE t.name = ?");
        g.bind(1, out.task);
        while (g.step()) {
            if (!ids.count(g.int64(0)))
                continue;
            gens.add(provenanceKeyOfText(g.text(1)), g.int64(2) != 0);
            if (const auto sid = g.optInt64(3))
                suggestionIds.insert(*sid);
            else
                ++withoutSuggestion;
        }
        generators = gens.toJson("generator");
        // The suggestions (hindsight relabels) behind those regenerations: how many, in which
        // review state, and which controller (LLM + prompt, retrieval index, human) made them.
        std::map<std::string, int64_t> byStatus;
        ProvenanceGroups controllers;
        Statement s(db, "SELECT s.id, s.status, s.provenance FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                        "JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND s.id IN "
                        "(SELECT suggestion_id FROM regenerations WHERE suggestion_id IS NOT NULL)");
        s.bind(1, out.task);
        while (s.step()) {
            if (!suggestionIds.count(s.int64(0)))
                continue;
            ++byStatus[s.text(1)];
            controllers.add(provenanceKeyOfText(s.text(2)), false);
        }
        suggestions = {{"suggestions", suggestionIds.size()},
                       {"by_status", byStatus},
                       {"controllers", controllers.toJson("controller")},
                       {"regenerations_without_suggestion", withoutSuggestion}};
    }
    // Imagined dialogues: which model and prompt imagined them (metadata.imagined.generator).
    nlohmann::json imagined = nlohmann::json::array();
    if (byKind.count(source_kind::kImagined)) {
        ProvenanceGroups gens;
        Statement st(db, "SELECT d.id, coalesce(json_extract(d.metadata, '$.imagined.generator'), '{}') FROM dialogues d "
                         "JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND d.source = ?");
        st.bind(1, out.task).bind(2, std::string(source::kImagined));
        while (st.step())
            if (ids.count(st.int64(0)))
                gens.add(provenanceKeyOfText(st.text(1)), false);
        imagined = gens.toJson("generator");
    }
    // Who labelled the rewards the set was selected by: the latest label of each dialogue (the
    // one dialogues.reward holds), grouped by source and the labeller's model / prompt / dataset.
    nlohmann::json labels = nlohmann::json::array();
    if (labelled > 0) {
        ProvenanceGroups labellers;
        Statement st(db, "SELECT l.dialogue_id, l.source, l.provenance FROM reward_labels l "
                         "JOIN dialogues d ON d.id = l.dialogue_id JOIN tasks t ON t.id = d.task_id "
                         "WHERE t.name = ? AND l.id = (SELECT max(id) FROM reward_labels m WHERE m.dialogue_id = l.dialogue_id)");
        st.bind(1, out.task);
        while (st.step()) {
            if (!ids.count(st.int64(0)))
                continue;
            nlohmann::json key = {{"source", st.text(1)}, {"provenance", provenanceKeyOfText(st.text(2))}};
            labellers.add(key, false);
        }
        labels = labellers.toJson("labeller");
    }
    out.lineage = {{"preset", spec.preset},
                   {"task", out.task},
                   {"spec", spec},
                   {"candidates", candidates.size()},
                   {"selected", out.dialogueIds.size()},
                   {"by_kind", byKind},
                   {"by_source", bySource},
                   {"hard_regenerations", hard},
                   {"reward", reward},
                   {"regeneration_generators", generators},
                   {"regeneration_suggestions", suggestions},
                   {"imagined_generators", imagined},
                   {"reward_labels", labels}};
    return out;
}

int64_t createTrainingSet(Database& db, const std::string& name, const TrainingSetSpec& spec)
{
    if (name.empty())
        throw Error("a training set needs a name");
    const auto sel = selectTrainingSet(db, spec);
    std::vector<TrainingSetItem> items;
    items.reserve(sel.dialogueIds.size());
    for (auto id : sel.dialogueIds)
        items.push_back({id, 1.0});
    nlohmann::json specJson = spec;
    specJson["task"] = sel.task;
    return TrainingSetStore(db).create(name, sel.task, specJson, sel.lineage, items);
}

} // namespace hw
