#include "core/pipeline/turn_matcher.h"

#include "core/pipeline/reply_text.h"

#include <algorithm>
#include <map>

namespace hw {
namespace {

double dice(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    if (a.empty() || b.empty())
        return 0.0;
    std::map<std::string, int> counts;
    for (const auto& t : a)
        ++counts[t];
    int common = 0;
    for (const auto& t : b) {
        auto it = counts.find(t);
        if (it != counts.end() && it->second > 0) {
            --it->second;
            ++common;
        }
    }
    return 2.0 * common / static_cast<double>(a.size() + b.size());
}

// Similarity of two normalized texts; `floor` is the score below which the exact value does not
// matter (lets the edit distance give up early).
double normalizedSimilarity(const std::string& q, const std::string& u, double floor)
{
    if (q.empty() || u.empty())
        return 0.0;
    if (q == u)
        return 1.0;
    const auto qt = reply::tokens(q);
    const auto ut = reply::tokens(u);
    double best = dice(qt, ut);
    // An excerpt of the turn (whole words), at least 3 words or half the turn.
    if (qt.size() >= 3 || qt.size() * 2 >= ut.size()) {
        const std::string padded = " " + u + " ";
        if (padded.find(" " + q + " ") != std::string::npos) {
            const double cover = static_cast<double>(qt.size()) / static_cast<double>(ut.size());
            best = std::max(best, 0.85 + 0.15 * cover);
        }
    }
    const size_t longest = std::max(q.size(), u.size());
    const double need = std::max(best, floor);
    if (longest <= 600 && need < 1.0) {
        // Only distances that would beat `need` matter.
        const size_t maxDist = static_cast<size_t>((1.0 - need) * static_cast<double>(longest));
        const size_t d = reply::editDistance(q, u, maxDist);
        if (d <= maxDist)
            best = std::max(best, 1.0 - static_cast<double>(d) / static_cast<double>(longest));
    }
    return std::min(best, 1.0);
}

} // namespace

double quoteSimilarity(const std::string& quote, const std::string& utterance)
{
    return normalizedSimilarity(reply::normalize(quote), reply::normalize(utterance), 0.0);
}

TurnMatch matchAgentTurn(const std::vector<Turn>& turns, const std::string& quote, const TurnMatcherOptions& options)
{
    TurnMatch out;
    const std::string q = reply::normalize(quote);
    if (q.empty()) {
        out.error = "empty quote";
        return out;
    }
    std::vector<std::string> normalized(turns.size());
    for (size_t i = 0; i < turns.size(); ++i)
        normalized[i] = reply::normalize(turns[i].text);
    // Scores below minScore - minMargin can neither match nor make a match ambiguous.
    const double floor = options.minScore - options.minMargin;
    // The user's turns first: a quote of what the user said must not be pinned on an agent turn
    // that happens to echo or paraphrase it.
    double bestUser = 0.0;
    int bestUserIdx = -1;
    for (size_t i = 0; i < turns.size(); ++i)
        if (turns[i].role != Role::Agent) {
            const double s = normalizedSimilarity(q, normalized[i], floor);
            if (s > bestUser) {
                bestUser = s;
                bestUserIdx = turns[i].index;
            }
        }
    auto userError = [&] {
        return "the quoted utterance is the user's (turn " + std::to_string(bestUserIdx) + "), not the agent's";
    };
    // The common case: the quote is exactly one agent turn.
    int exact = -1, exactCount = 0;
    for (size_t i = 0; i < turns.size(); ++i)
        if (turns[i].role == Role::Agent && normalized[i] == q) {
            exact = turns[i].index;
            ++exactCount;
        }
    if (exactCount == 1) {
        out.score = 1.0; // runnerUp is not computed: a unique exact match is definitive...
        if (bestUserIdx >= 0 && bestUser >= 1.0) {
            out.error = userError(); // ...unless the user said exactly that too
            return out;
        }
        out.turnIndex = exact;
        return out;
    }
    int bestIdx = -1;
    for (size_t i = 0; i < turns.size(); ++i) {
        if (turns[i].role != Role::Agent)
            continue;
        const double s = normalizedSimilarity(q, normalized[i], floor);
        if (s > out.score) {
            out.runnerUp = out.score;
            out.score = s;
            bestIdx = turns[i].index;
        } else if (s > out.runnerUp) {
            out.runnerUp = s;
        }
    }
    if (bestUserIdx >= 0 && bestUser >= options.minScore && bestUser >= out.score) {
        out.error = userError();
        return out;
    }
    if (bestIdx < 0 || out.score < options.minScore) {
        out.error = "the quoted utterance matches no agent turn (best similarity "
                    + std::to_string(static_cast<int>(out.score * 100)) + "%)";
        return out;
    }
    // A user turn nearly as close as the best agent turn: which one was quoted is a guess.
    if (bestUserIdx >= 0 && out.score - bestUser < options.minMargin) {
        out.error = "the quoted utterance matches user turn " + std::to_string(bestUserIdx) + " about as well as agent turn "
                    + std::to_string(bestIdx) + " (ambiguous)";
        return out;
    }
    // An exact (normalized) match that no other agent turn shares is definitive, even next to
    // near-duplicates ("I see." / "I see!" differ only in punctuation and are both exact).
    const bool uniqueExact = out.score == 1.0 && out.runnerUp < 1.0;
    if (!uniqueExact && out.score - out.runnerUp < options.minMargin) {
        out.error = "the quoted utterance matches several agent turns (ambiguous)";
        return out;
    }
    out.turnIndex = bestIdx;
    return out;
}

} // namespace hw
