#pragma once
// Finds the agent turn a controller quoted. The quote may differ from the turn in case,
// punctuation, quote style and small edits, or be an excerpt of a long turn. A quote that fits
// two agent turns about equally well, or none well enough, is not matched ("never guess"); nor is
// one that fits a user turn as well as (or, short of a unique exact agent match, nearly as well
// as) the best agent turn: the controller quoted the user, or we cannot tell.
#include "core/data/dialogue.h"

#include <optional>
#include <string>
#include <vector>

namespace hw {

struct TurnMatch {
    std::optional<int> turnIndex;  // Turn::index of the matched agent turn
    double score = 0.0;            // best similarity in [0, 1]
    double runnerUp = 0.0;         // second best (another agent turn); 0 after a unique exact match
    std::string error;             // why there is no match
};

struct TurnMatcherOptions {
    double minScore = 0.6;         // below: no match
    double minMargin = 0.08;       // best - runnerUp below this: ambiguous
};

// Similarity of a quote to an utterance in [0, 1]: 1 for equal normalized text; contained
// excerpts score by how much of the turn they cover (0.85..1); otherwise the larger of token
// Dice overlap and character edit similarity.
double quoteSimilarity(const std::string& quote, const std::string& utterance);

TurnMatch matchAgentTurn(const std::vector<Turn>& turns, const std::string& quote,
                         const TurnMatcherOptions& options = {});

} // namespace hw
