#pragma once
// Example dialogues for prompts (forward model, reward labeler), drawn from a task's original
// data. Sampling is seeded, so the same item always gets the same examples (and cache key).
#include "core/data/dialogue.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;

class FewShotPool {
public:
    FewShotPool() = default;
    explicit FewShotPool(std::vector<Dialogue> dialogues);

    // The task's labelled original dialogues (not regenerations, not imagined), in id order.
    static FewShotPool fromProject(Database& db, const std::string& task);

    // The lowest-reward fraction q (paper: the bottom 25% feed the "hard" forward model);
    // at least one dialogue when the pool is not empty.
    FewShotPool bottomQuantile(double q) const;
    // The dialogues for which `keep` is true, in the same order.
    template <typename Pred>
    FewShotPool filtered(Pred keep) const
    {
        std::vector<Dialogue> out;
        for (const auto& d : m_dialogues)
            if (keep(d))
                out.push_back(d);
        return FewShotPool(std::move(out));
    }

    // k distinct dialogues drawn uniformly (fewer when the pool is smaller), never the one whose
    // id is `exclude`; deterministic for a given seed.
    std::vector<const Dialogue*> sample(size_t k, uint64_t seed, int64_t exclude = 0) const;

    size_t size() const { return m_dialogues.size(); }
    bool empty() const { return m_dialogues.empty(); }
    const std::vector<Dialogue>& dialogues() const { return m_dialogues; }

private:
    std::vector<Dialogue> m_dialogues;
};

// ESConv survey values kept in a dialogue's metadata by the importer ("initial_emotion_intensity",
// "final_emotion_intensity"; numbers or numeric strings). The final intensity falls back to
// initial - reward.
std::optional<int> initialIntensity(const Dialogue& d);
std::optional<int> finalIntensity(const Dialogue& d);

} // namespace hw
