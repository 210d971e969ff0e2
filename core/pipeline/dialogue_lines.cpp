#include "core/pipeline/dialogue_lines.h"

#include "core/pipeline/reply_text.h"
#include "core/pipeline/turn_matcher.h"

#include <cctype>
#include <optional>

namespace hw {
namespace {

using reply::trim;

// If line starts with a speaker label, returns the role and sets `rest` to the utterance.
std::optional<Role> speakerOf(const std::string& line, const Task* task, std::string& rest)
{
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '-' || line[i] == '>' || line[i] == '*'
                               || line[i] == '_' || line[i] == '['))
        ++i;
    size_t j = i;
    while (j < line.size() && (std::isalpha(static_cast<unsigned char>(line[j])) || line[j] == ' ') && j - i < 24)
        ++j;
    if (j == i)
        return std::nullopt;
    std::string label = reply::lower(trim(line.substr(i, j - i)));
    size_t k = j;
    while (k < line.size() && (line[k] == '*' || line[k] == '_' || line[k] == ']' || line[k] == ' '))
        ++k;
    if (k >= line.size() || line[k] != ':')
        return std::nullopt;
    ++k;
    while (k < line.size() && (line[k] == '*' || line[k] == '_'))
        ++k;
    std::optional<Role> role;
    if (label == "ai" || label == "assistant" || label == "agent")
        role = Role::Agent;
    else if (label == "h" || label == "human" || label == "user")
        role = Role::User;
    else if (task) {
        if (!task->agentRole.empty() && label == reply::lower(task->agentRole))
            role = Role::Agent;
        else if (!task->userRole.empty() && label == reply::lower(task->userRole))
            role = Role::User;
    }
    if (role)
        rest = trim(line.substr(k));
    return role;
}

// Joins consecutive turns of the same role; returns how many were merged away.
int mergeSameRole(std::vector<Turn>& turns)
{
    std::vector<Turn> out;
    int merged = 0;
    for (auto& t : turns) {
        if (!out.empty() && out.back().role == t.role) {
            out.back().text += " " + t.text;
            ++merged;
        } else {
            out.push_back(std::move(t));
        }
    }
    turns = std::move(out);
    return merged;
}

} // namespace

std::string formatDialogueLines(const std::vector<Turn>& turns)
{
    std::string out;
    for (const auto& t : turns) {
        out += t.role == Role::Agent ? "AI: " : "H: ";
        for (char c : t.text)
            out += (c == '\n' || c == '\r') ? ' ' : c;
        out += '\n';
    }
    return out;
}

ParsedLines parseDialogueLines(std::string_view text, const Task* task)
{
    ParsedLines out;
    const std::string clean = reply::stripReasoning(text);
    const auto lines = reply::lines(clean);
    bool inTurn = false;      // the previous line belonged to a turn (continuations allowed)
    int emptyAt = -1;         // line number of an empty utterance, reported unless it is last
    for (size_t n = 0; n < lines.size(); ++n) {
        const std::string& line = lines[n];
        std::string rest;
        if (auto role = speakerOf(line, task, rest)) {
            if (emptyAt >= 0) {
                out.error = "empty utterance on line " + std::to_string(emptyAt + 1);
                out.turns.clear();
                return out;
            }
            if (rest.empty()) {
                emptyAt = static_cast<int>(n);
                inTurn = false;
                continue;
            }
            Turn t;
            t.index = static_cast<int>(out.turns.size());
            t.role = *role;
            t.text = rest;
            out.turns.push_back(std::move(t));
            inTurn = true;
            continue;
        }
        if (trim(line).empty()) {
            inTurn = false;
            continue;
        }
        if (inTurn)
            out.turns.back().text += " " + trim(line);
        // else: prose before, between or after the dialogue
    }
    if (out.turns.empty())
        out.error = "no \"AI:\" or \"H:\" lines in the reply";
    return out;
}

ContinuationCheck checkContinuation(const ParsedLines& parsed, const std::vector<Turn>& prefix, int turnBudget)
{
    ContinuationCheck out;
    if (!parsed.error.empty()) {
        out.error = parsed.error;
        return out;
    }
    std::vector<Turn> turns = parsed.turns;
    if (!turns.empty() && !prefix.empty() && turns.front().role == Role::Agent && prefix.back().role == Role::Agent
        && quoteSimilarity(turns.front().text, prefix.back().text) >= 0.9) {
        turns.erase(turns.begin());
        out.droppedEcho = true;
    }
    out.mergedTurns = mergeSameRole(turns);
    if (turns.empty()) {
        out.error = "the continuation is empty";
        return out;
    }
    if (turns.front().role != Role::User) {
        out.error = "the continuation must start with the user's reply (H:), not the agent's";
        return out;
    }
    if (static_cast<int>(turns.size()) > turnBudget) {
        out.error = "the continuation has " + std::to_string(turns.size()) + " turns, more than the budget of "
                    + std::to_string(turnBudget);
        return out;
    }
    const int first = static_cast<int>(prefix.size());
    for (size_t i = 0; i < turns.size(); ++i)
        turns[i].index = first + static_cast<int>(i);
    out.turns = std::move(turns);
    return out;
}

ContinuationCheck checkWholeDialogue(const ParsedLines& parsed, int minTurns, int maxTurns)
{
    ContinuationCheck out;
    if (!parsed.error.empty()) {
        out.error = parsed.error;
        return out;
    }
    std::vector<Turn> turns = parsed.turns;
    out.mergedTurns = mergeSameRole(turns);
    bool agent = false, user = false;
    for (const auto& t : turns) {
        agent |= t.role == Role::Agent;
        user |= t.role == Role::User;
    }
    if (!agent || !user) {
        out.error = "the dialogue needs turns from both speakers";
        return out;
    }
    if (static_cast<int>(turns.size()) < minTurns) {
        out.error = "the dialogue has " + std::to_string(turns.size()) + " turns, fewer than " + std::to_string(minTurns);
        return out;
    }
    if (static_cast<int>(turns.size()) > maxTurns) {
        out.error = "the dialogue has " + std::to_string(turns.size()) + " turns, more than " + std::to_string(maxTurns);
        return out;
    }
    for (size_t i = 0; i < turns.size(); ++i)
        turns[i].index = static_cast<int>(i);
    out.turns = std::move(turns);
    return out;
}

} // namespace hw
