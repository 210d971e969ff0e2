#pragma once
// Training sets for the paper's agents: a named, saved selection of a project's dialogues with its
// lineage, built from presets or filters (task, source, reward quantile) and stored through
// TrainingSetStore (training_sets / training_set_items; JSONL export there).
//
//   preset          sources                          reward filter
//   sft             originals                        top 25% by reward
//   rft             originals + regenerations        top 25% of that union by reward
//   ilql-orig       originals                        all labelled
//   ilql-zero-shot  imagined dialogues               all labelled
//   hindsight-rl    originals + regenerations        all labelled (the full method)
//
// Quantiles rank the candidates (after the source filter) by reward; ties are broken by a hash of
// the uid, so the same project always gives the same set. A quantile range [lo, hi] keeps the
// ceil(n * (1 - lo)) highest up to rank ceil(n * hi): [0.75, 1] = exactly ceil(n / 4) best.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

namespace source_kind {
inline constexpr const char* kOriginal = "original";          // any imported corpus (esconv, p4g, ...)
inline constexpr const char* kRegeneration = "regeneration";  // hindsight regenerations
inline constexpr const char* kImagined = "imagined";          // zero-shot imagined dialogues
} // namespace source_kind

struct TrainingSetSpec {
    std::string preset = "custom";        // sft | rft | ilql-orig | ilql-zero-shot | hindsight-rl | custom
    std::string task;                     // "" = the project's only task with dialogues
    // Source kinds ("original", "regeneration", "imagined") or exact source names ("esconv");
    // empty = every source.
    std::vector<std::string> sources;
    std::optional<double> minQuantile;    // reward quantile range in [0, 1]; none = no bound
    std::optional<double> maxQuantile;
    bool labeledOnly = true;              // dialogues without a reward are left out
    bool includeHard = true;              // regenerations made by the "hard" forward model

    // The preset's spec; throws hw::Error listing the presets for an unknown name.
    static TrainingSetSpec fromPreset(const std::string& preset, const std::string& task = "");
    static std::vector<std::string> presetNames();
    // Throws hw::Error naming the bad field.
    void validate() const;
};
void to_json(nlohmann::json& j, const TrainingSetSpec& s);
void from_json(const nlohmann::json& j, TrainingSetSpec& s);

// One dialogue that may go into a set.
struct TrainingSetCandidate {
    int64_t id = 0;
    std::string uid;
    std::string source;
    std::optional<double> reward;
    bool hard = false;                    // regeneration by the hard forward model
};

// The kind of a source name: "regeneration", "imagined", or "original" for everything else.
std::string sourceKind(const std::string& source);

// Pure selection over candidates (no database): source filter, labelled filter, quantile range.
// Returns indices into `candidates` in id order.
std::vector<size_t> selectCandidates(const std::vector<TrainingSetCandidate>& candidates, const TrainingSetSpec& spec);

struct TrainingSetSelection {
    std::string task;
    std::vector<int64_t> dialogueIds;     // in id order
    // Counts by source kind and source, reward range, and what made the data, each grouped by the
    // stable part of its provenance (core/store/provenance_key.h) with a count per group:
    //   regeneration_generators  [{generator, count, hard}]   forward model / endpoint + prompt
    //   regeneration_suggestions {suggestions, by_status, controllers: [{controller, count}],
    //                             regenerations_without_suggestion}
    //   imagined_generators      [{generator, count}]          model + prompt that imagined them
    //   reward_labels            [{labeller: {source, provenance}, count}]  latest label of each
    nlohmann::json lineage;
};

// Reads the task's dialogues and selects. Throws hw::Error (no such task, several tasks and none
// named, nothing selected).
TrainingSetSelection selectTrainingSet(Database& db, const TrainingSetSpec& spec);

// Selects and saves under `name` (must be free). Returns the set's id.
int64_t createTrainingSet(Database& db, const std::string& name, const TrainingSetSpec& spec);

} // namespace hw
