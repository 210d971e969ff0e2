#pragma once
// Dialogues as prompt text ("AI: ..." for the agent, "H: ..." for the user), and the parser for
// the same layout in model replies (forward model continuations, imagined dialogues).
#include "core/data/dialogue.h"
#include "core/data/task.h"

#include <string>
#include <string_view>
#include <vector>

namespace hw {

// One line per turn: "AI: text" / "H: text" (newlines inside a turn become spaces).
std::string formatDialogueLines(const std::vector<Turn>& turns);

struct ParsedLines {
    std::vector<Turn> turns;   // in order; Turn::index counts from 0
    std::string error;         // non-empty: the reply is not a dialogue in this layout
};

// Reads "AI:"/"H:" lines. Also accepted as labels (any case, optional markdown bold, bullets):
// Human, User, Assistant, Agent, and the task's own role names (Persuader/Persuadee,
// Supporter/Seeker). Prose before the first labelled line and after a blank line that ends the
// dialogue is ignored; an unlabelled line right after a turn continues that turn; code fences and
// <think> blocks are dropped. An empty utterance is an error unless it is the very last line.
ParsedLines parseDialogueLines(std::string_view text, const Task* task = nullptr);

struct ContinuationCheck {
    std::vector<Turn> turns;   // validated continuation, indices starting at firstIndex
    std::string error;
    bool droppedEcho = false;  // the model repeated the new agent utterance first
    int mergedTurns = 0;       // consecutive same-role lines joined into one turn
};

// Validates a forward-model continuation of a prefix whose last turn is the new agent
// utterance: drops an echo of that utterance, joins consecutive lines of the same speaker,
// requires a non-empty continuation that starts with the user, and at most `turnBudget` turns.
ContinuationCheck checkContinuation(const ParsedLines& parsed, const std::vector<Turn>& prefix, int turnBudget);

// Validates a whole imagined dialogue: joins consecutive same-speaker lines, requires at least
// `minTurns` turns with both roles present and at most `maxTurns`.
ContinuationCheck checkWholeDialogue(const ParsedLines& parsed, int minTurns, int maxTurns);

} // namespace hw
