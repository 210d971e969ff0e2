#include "core/rl/ilql_reference_io.h"

#include "core/util/error.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace hw {

namespace {

double numberOf(const nlohmann::json& v, const std::string& name)
{
    if (v.is_number())
        return v.get<double>();
    if (v.is_boolean())
        return v.get<bool>() ? 1.0 : 0.0;
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (s == "-inf" || s == "-Infinity")
            return -std::numeric_limits<double>::infinity();
        if (s == "inf" || s == "Infinity" || s == "+inf")
            return std::numeric_limits<double>::infinity();
        if (s == "nan" || s == "NaN")
            return std::numeric_limits<double>::quiet_NaN();
    }
    throw Error(name + ": expected a number, got " + v.dump());
}

void flatten(const nlohmann::json& j, std::vector<int64_t>& shape, size_t depth, std::vector<double>& out,
             const std::string& name)
{
    if (!j.is_array()) {
        if (depth != shape.size())
            throw Error(name + ": ragged array (a number where a list was expected)");
        out.push_back(numberOf(j, name));
        return;
    }
    if (depth == shape.size())
        shape.push_back(static_cast<int64_t>(j.size()));
    else if (shape[depth] != static_cast<int64_t>(j.size()))
        throw Error(name + ": ragged array (rows of different lengths at depth " + std::to_string(depth) + ")");
    if (j.empty() && depth + 1 == shape.size())
        return;
    for (const auto& e : j)
        flatten(e, shape, depth + 1, out, name);
}

const nlohmann::json& need(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        throw Error(where + ": missing \"" + key + "\"");
    return *it;
}

torch::Tensor optionalTensor(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    return jsonToTensor(*it, torch::kFloat, where + "." + key);
}

} // namespace

torch::Tensor jsonToTensor(const nlohmann::json& j, torch::ScalarType dtype, const std::string& name)
{
    std::vector<int64_t> shape;
    std::vector<double> values;
    flatten(j, shape, 0, values, name);
    auto t = torch::tensor(values, torch::kDouble);
    if (values.empty())
        t = torch::zeros({0}, torch::kDouble);
    return t.reshape(shape).to(dtype);
}

nlohmann::json tensorToJson(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU);
    if (c.dim() == 0) {
        const double x = c.item<double>();
        if (std::isnan(x))
            return "nan";
        if (std::isinf(x))
            return x < 0 ? "-inf" : "inf";
        return x;
    }
    auto arr = nlohmann::json::array();
    for (int64_t i = 0; i < c.size(0); ++i)
        arr.push_back(tensorToJson(c[i]));
    return arr;
}

IlqlReferenceInputs readIlqlReferenceInputs(const nlohmann::json& root)
{
    if (!root.is_object())
        throw Error("ILQL inputs: expected a JSON object");
    const nlohmann::json& j = root.contains("inputs") ? root.at("inputs") : root;
    const std::string where = "inputs";
    IlqlReferenceInputs in;
    auto& b = in.batch;
    b.tokens = jsonToTensor(need(j, "tokens", where), torch::kLong, "inputs.tokens");
    b.attnMask = j.contains("attn_mask") ? jsonToTensor(j.at("attn_mask"), torch::kFloat, "inputs.attn_mask")
                                         : torch::ones(b.tokens.sizes(), torch::kFloat);
    b.stateIdxs = jsonToTensor(need(j, "state_idxs", where), torch::kLong, "inputs.state_idxs");
    b.actionIdxs = jsonToTensor(need(j, "action_idxs", where), torch::kLong, "inputs.action_idxs");
    b.rewards = jsonToTensor(need(j, "rewards", where), torch::kFloat, "inputs.rewards");
    b.terminals = jsonToTensor(need(j, "terminals", where), torch::kFloat, "inputs.terminals");
    b.actionMask = optionalTensor(j, "action_mask", where);
    checkIlqlBatch(b);

    const auto& h = need(j, "heads", where);
    const std::string hw = "inputs.heads";
    in.logits = jsonToTensor(need(h, "logits", hw), torch::kFloat, hw + ".logits");
    in.v = jsonToTensor(need(h, "v", hw), torch::kFloat, hw + ".v");
    in.q1 = jsonToTensor(need(h, "q1", hw), torch::kFloat, hw + ".q1");
    in.tq1 = jsonToTensor(need(h, "tq1", hw), torch::kFloat, hw + ".tq1");
    in.q2 = optionalTensor(h, "q2", hw);
    in.tq2 = optionalTensor(h, "tq2", hw);

    const auto B = b.tokens.size(0), T = b.tokens.size(1);
    auto perPosition = [&](const torch::Tensor& t, const char* name) {
        if (!t.defined())
            return;
        if (t.dim() != 3 || t.size(0) != B || t.size(1) != T || t.size(2) != in.logits.size(2))
            throw Error(std::string("inputs.heads.") + name + " must be [B,T,V] = [" + std::to_string(B) + ","
                        + std::to_string(T) + "," + std::to_string(in.logits.size(2)) + "]");
    };
    if (in.logits.dim() != 3)
        throw Error("inputs.heads.logits must be [B,T,V]");
    for (auto [t, name] : {std::pair{in.logits, "logits"}, {in.q1, "q1"}, {in.q2, "q2"}, {in.tq1, "tq1"}, {in.tq2, "tq2"}})
        perPosition(t, name);
    if (!in.v.sizes().equals(b.tokens.sizes()))
        throw Error("inputs.heads.v must be [B,T] like tokens");
    if (in.q2.defined() != in.tq2.defined())
        throw Error("inputs.heads: q2 and tq2 come together");
    return in;
}

IlqlReferenceInputs sliceIlqlReferenceRow(const IlqlReferenceInputs& in, int64_t row, int64_t length,
                                          int64_t nActions)
{
    using torch::indexing::Slice;
    auto rows = [&](const torch::Tensor& t, int64_t len) {
        if (!t.defined())
            return t;
        return t.index({Slice(row, row + 1), Slice(0, len)}).contiguous();
    };
    IlqlReferenceInputs out;
    out.batch.tokens = rows(in.batch.tokens, length);
    out.batch.attnMask = rows(in.batch.attnMask, length);
    out.batch.stateIdxs = rows(in.batch.stateIdxs, nActions + 1);
    out.batch.actionIdxs = rows(in.batch.actionIdxs, nActions);
    out.batch.rewards = rows(in.batch.rewards, nActions);
    out.batch.terminals = rows(in.batch.terminals, nActions + 1);
    out.batch.actionMask = rows(in.batch.actionMask, nActions);
    out.logits = rows(in.logits, length);
    out.v = rows(in.v, length);
    out.q1 = rows(in.q1, length);
    out.q2 = rows(in.q2, length);
    out.tq1 = rows(in.tq1, length);
    out.tq2 = rows(in.tq2, length);
    checkIlqlBatch(out.batch);
    return out;
}

IlqlHeadOutputs gatherReferenceHeads(const IlqlReferenceInputs& in, bool doubleQ)
{
    if (doubleQ && !in.q2.defined())
        throw Error("ILQL inputs: double_q needs heads q2 and tq2");
    const auto& b = in.batch;
    checkIlqlBatch(b);
    const auto select = ilqlSelectTokens(b.tokens, b.actionIdxs).unsqueeze(2);
    IlqlHeadOutputs out;
    out.vStates = in.v.gather(1, b.stateIdxs);
    out.q1 = gatherPositions(in.q1, b.actionIdxs);
    if (doubleQ)
        out.q2 = gatherPositions(in.q2, b.actionIdxs);
    auto tq = gatherPositions(in.tq1, b.actionIdxs).gather(2, select).squeeze(2);
    if (doubleQ)
        tq = torch::minimum(tq, gatherPositions(in.tq2, b.actionIdxs).gather(2, select).squeeze(2));
    out.targetQSelected = tq;
    return out;
}

} // namespace hw
