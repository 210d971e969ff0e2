#pragma once
// One generated token as the chat page shows it: its text and, for agents with value heads,
// Q̂(s,a), V(s) and π_β(a|s). Stored per agent message in chat_messages.token_info.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hw {

struct TokenValue {
    std::string text;             // text this token added (may be "" inside a UTF-8 sequence)
    std::optional<double> q;      // min(Q̂1, Q̂2) at the chosen token
    std::optional<double> v;      // V of the state it was chosen in
    std::optional<double> pBeta;  // π_β(token | state), behaviour policy alone
    double advantage() const { return q && v ? *q - *v : 0.0; }
    bool hasValues() const { return q.has_value() && v.has_value(); }
};

// [{"text": .., "q": .., "v": .., "p_beta": ..}], absent values left out.
nlohmann::json tokenValuesToJson(const std::vector<TokenValue>& tokens);
// Tolerant: anything that is not an array gives no tokens; missing fields stay empty.
std::vector<TokenValue> tokenValuesFromJson(const nlohmann::json& j);

} // namespace hw
