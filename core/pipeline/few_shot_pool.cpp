#include "core/pipeline/few_shot_pool.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/original_dialogue.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace hw {
namespace {

std::optional<int> intFrom(const nlohmann::json& v)
{
    if (v.is_number()) {
        const double x = v.get<double>();
        if (std::isfinite(x) && x == std::floor(x))
            return static_cast<int>(x);
        return std::nullopt;
    }
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        char* end = nullptr;
        const long n = std::strtol(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == '\0')
            return static_cast<int>(n);
    }
    return std::nullopt;
}

std::optional<int> metadataInt(const Dialogue& d, const char* key)
{
    if (d.metadata.is_object() && d.metadata.contains(key))
        return intFrom(d.metadata[key]);
    return std::nullopt;
}

} // namespace

FewShotPool::FewShotPool(std::vector<Dialogue> dialogues) : m_dialogues(std::move(dialogues)) {}

FewShotPool FewShotPool::fromProject(Database& db, const std::string& task)
{
    std::vector<Dialogue> out;
    DialogueStore store(db);
    store.forEach(task, [&](const Dialogue& d) {
        if (d.reward && isOriginalSource(d.source) && !d.turns.empty())
            out.push_back(d);
        return true;
    });
    return FewShotPool(std::move(out));
}

FewShotPool FewShotPool::bottomQuantile(double q) const
{
    std::vector<Dialogue> sorted = m_dialogues;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Dialogue& a, const Dialogue& b) { return a.reward.value_or(0) < b.reward.value_or(0); });
    size_t n = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    n = std::min(sorted.size(), std::max<size_t>(sorted.empty() ? 0 : 1, n));
    sorted.resize(n);
    std::sort(sorted.begin(), sorted.end(), [](const Dialogue& a, const Dialogue& b) { return a.id < b.id; });
    return FewShotPool(std::move(sorted));
}

std::vector<const Dialogue*> FewShotPool::sample(size_t k, uint64_t seed, int64_t exclude) const
{
    std::vector<const Dialogue*> candidates;
    for (const auto& d : m_dialogues)
        if (exclude == 0 || d.id != exclude)
            candidates.push_back(&d);
    std::mt19937_64 rng(seed);
    // Partial Fisher-Yates: uniform k-subset, order random too.
    const size_t n = std::min(k, candidates.size());
    for (size_t i = 0; i < n; ++i) {
        std::uniform_int_distribution<size_t> pick(i, candidates.size() - 1);
        std::swap(candidates[i], candidates[pick(rng)]);
    }
    candidates.resize(n);
    return candidates;
}

std::optional<int> initialIntensity(const Dialogue& d) { return metadataInt(d, "initial_emotion_intensity"); }

std::optional<int> finalIntensity(const Dialogue& d)
{
    if (auto f = metadataInt(d, "final_emotion_intensity"))
        return f;
    const auto init = initialIntensity(d);
    if (init && d.reward && *d.reward == std::floor(*d.reward))
        return *init - static_cast<int>(*d.reward);
    return std::nullopt;
}

} // namespace hw
