#include "core/chat/token_value.h"

namespace hw {

nlohmann::json tokenValuesToJson(const std::vector<TokenValue>& tokens)
{
    auto out = nlohmann::json::array();
    for (const auto& t : tokens) {
        nlohmann::json j = {{"text", t.text}};
        if (t.q)
            j["q"] = *t.q;
        if (t.v)
            j["v"] = *t.v;
        if (t.pBeta)
            j["p_beta"] = *t.pBeta;
        out.push_back(std::move(j));
    }
    return out;
}

std::vector<TokenValue> tokenValuesFromJson(const nlohmann::json& j)
{
    std::vector<TokenValue> out;
    if (!j.is_array())
        return out;
    for (const auto& e : j) {
        if (!e.is_object())
            continue;
        TokenValue t;
        t.text = e.value("text", std::string());
        if (e.contains("q") && e["q"].is_number())
            t.q = e["q"].get<double>();
        if (e.contains("v") && e["v"].is_number())
            t.v = e["v"].get<double>();
        if (e.contains("p_beta") && e["p_beta"].is_number())
            t.pBeta = e["p_beta"].get<double>();
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace hw
