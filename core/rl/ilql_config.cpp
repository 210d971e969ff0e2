#include "core/rl/ilql_config.h"

#include "core/util/error.h"

#include <cmath>
#include <set>
#include <string>

namespace hw {
namespace {

// Reads the keys of one JSON object into fields, with the key path in every error message.
// Written by hand rather than with NLOHMANN_DEFINE_TYPE_*: nlohmann 3.11 has no std::optional
// support, and unknown keys must be refused.
class Reader {
public:
    Reader(const nlohmann::json& j, std::string where) : m_j(j), m_where(std::move(where))
    {
        if (!j.is_object())
            throw Error(m_where + ": expected a JSON object, got " + std::string(j.type_name()));
    }

    void number(const char* key, double& out)
    {
        if (const auto* v = find(key)) {
            if (!v->is_number())
                fail(key, "a number");
            out = v->get<double>();
        }
    }
    void optNumber(const char* key, std::optional<double>& out)
    {
        if (const auto* v = find(key)) {
            if (v->is_null()) {
                out.reset();
                return;
            }
            if (!v->is_number())
                fail(key, "a number or null");
            out = v->get<double>();
        }
    }
    void optInteger(const char* key, std::optional<int64_t>& out)
    {
        if (const auto* v = find(key)) {
            if (v->is_null()) {
                out.reset();
                return;
            }
            if (!v->is_number_integer())
                fail(key, "an integer or null");
            out = v->get<int64_t>();
        }
    }
    void optBoolean(const char* key, std::optional<bool>& out)
    {
        if (const auto* v = find(key)) {
            if (v->is_null()) {
                out.reset();
                return;
            }
            if (!v->is_boolean())
                fail(key, "true, false or null");
            out = v->get<bool>();
        }
    }
    bool has(const char* key) const { return m_j.contains(key); }
    void boolean(const char* key, bool& out)
    {
        if (const auto* v = find(key)) {
            if (!v->is_boolean())
                fail(key, "true or false");
            out = v->get<bool>();
        }
    }
    const nlohmann::json* object(const char* key)
    {
        const auto* v = find(key);
        if (v && v->is_null())
            return nullptr;
        return v;
    }
    // Call last: every key not read is an error.
    void finish() const
    {
        for (const auto& item : m_j.items())
            if (!m_seen.count(item.key()))
                throw Error(m_where + ": unknown option \"" + item.key() + "\"");
    }
    const std::string& where() const { return m_where; }

private:
    const nlohmann::json* find(const char* key)
    {
        m_seen.insert(key);
        const auto it = m_j.find(key);
        return it == m_j.end() ? nullptr : &*it;
    }
    [[noreturn]] void fail(const char* key, const char* expected) const
    {
        throw Error(m_where + "." + key + ": expected " + expected + ", got " + m_j.at(key).dump());
    }

    const nlohmann::json& m_j;
    std::string m_where;
    std::set<std::string> m_seen;
};

nlohmann::json optional(const std::optional<double>& v)
{
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

} // namespace

void IlqlConfig::validate() const
{
    auto finite = [](double v, const char* name) {
        if (!std::isfinite(v))
            throw Error(std::string("ILQL config: ") + name + " must be a finite number");
    };
    finite(gamma, "gamma");
    finite(tau, "tau");
    finite(beta, "beta");
    finite(transition_weight, "transition_weight");
    finite(dm_margin, "dm_margin");
    if (gamma < 0.0 || gamma > 1.0)
        throw Error("ILQL config: gamma must be in [0, 1], got " + std::to_string(gamma));
    if (tau < 0.0 || tau > 1.0)
        throw Error("ILQL config: tau (expectile) must be in [0, 1], got " + std::to_string(tau));
    if (!(cql_temp > 0.0) || !std::isfinite(cql_temp))
        throw Error("ILQL config: cql_temp must be > 0, got " + std::to_string(cql_temp));
    if (value_min && value_max && *value_min > *value_max)
        throw Error("ILQL config: value_min (" + std::to_string(*value_min) + ") is above value_max ("
                    + std::to_string(*value_max) + ")");
    if (alpha && !(*alpha > 0.0 && *alpha <= 1.0))
        throw Error("ILQL config: alpha (the Polyak rate of the target update) must be in (0, 1], got "
                    + std::to_string(*alpha));
}

std::vector<std::string> IlqlConfig::unsupportedTrainingOptions() const
{
    std::vector<std::string> out;
    // Each changes which parameters the loss's gradients reach (or the heads' architecture), so
    // training without it would silently be a different algorithm.
    if (detach_v)
        out.push_back("detach_v true (V head on a detached hidden state, so the V loss does not train the "
                      "trunk) is not implemented: the V loss always trains the value trunk");
    if (detach_q)
        out.push_back("detach_q true (Q heads on a detached hidden state) is not implemented: the Q and CQL "
                      "losses always train the value trunk");
    if (detach_pi)
        out.push_back("detach_pi true (policy head on a detached hidden state) is not implemented: the token "
                      "loss always trains the policy's transformer");
    if (advanced_mlp)
        out.push_back("advanced_mlp true (the reference's TransformerMLP heads on the second-to-last layer) is "
                      "not implemented: heads are Linear(h,2h)-ReLU-Linear(2h,out) on the last hidden state");
    return out;
}

std::vector<std::string> IlqlConfig::headOutputNotes() const
{
    std::vector<std::string> out;
    auto note = [&](bool set, const std::string& key) {
        if (set)
            out.push_back(key + " is a training option: it does not enter a loss or decoding computed from "
                                "given head outputs");
    };
    note(alpha.has_value(), "alpha");
    note(seperate_policy.has_value(), "seperate_policy");
    note(seperate_target.has_value(), "seperate_target");
    note(detach_v, "detach_v");
    note(detach_q, "detach_q");
    note(detach_pi, "detach_pi");
    note(advanced_mlp, "advanced_mlp");
    return out;
}

void IlqlDecodeConfig::validate() const
{
    if (!(temp > 0.0) || !std::isfinite(temp))
        throw Error("ILQL decoding: temp must be > 0, got " + std::to_string(temp));
    if (top_k && *top_k < 1)
        throw Error("ILQL decoding: top_k must be >= 1, got " + std::to_string(*top_k));
    if (top_p && (*top_p < 0.0 || *top_p > 1.0))
        throw Error("ILQL decoding: top_p must be in [0, 1], got " + std::to_string(*top_p));
    if (!exp_adv && (adv_weight < 0.0 || adv_weight > 1.0))
        throw Error("ILQL decoding: with exp_adv false, adv_weight is the probability-like weight of "
                    "a positive advantage and must be in [0, 1], got " + std::to_string(adv_weight));
    if (!include_logits && !include_adv)
        throw Error("ILQL decoding: include_logits and include_adv cannot both be false");
}

void to_json(nlohmann::json& j, const IlqlLossWeights& w)
{
    j = {{"awac_weight", w.awac_weight},         {"v_loss_weight", w.v_loss_weight},
         {"q_loss_weight", w.q_loss_weight},     {"cql_loss_weight", w.cql_loss_weight},
         {"dm_loss_weight", w.dm_loss_weight},   {"mc_returns", w.mc_returns}};
}

static void readWeights(const nlohmann::json& j, IlqlLossWeights& w, const std::string& where)
{
    Reader r(j, where);
    r.number("awac_weight", w.awac_weight);
    r.number("v_loss_weight", w.v_loss_weight);
    r.number("q_loss_weight", w.q_loss_weight);
    r.number("cql_loss_weight", w.cql_loss_weight);
    r.number("dm_loss_weight", w.dm_loss_weight);
    r.boolean("mc_returns", w.mc_returns);
    r.finish();
}

void from_json(const nlohmann::json& j, IlqlLossWeights& w)
{
    readWeights(j, w, "loss_weights");
}

void to_json(nlohmann::json& j, const IlqlConfig& c)
{
    j = {{"gamma", c.gamma},
         {"tau", c.tau},
         {"cql_temp", c.cql_temp},
         {"dm_margin", c.dm_margin},
         {"value_min", optional(c.value_min)},
         {"value_max", optional(c.value_max)},
         {"transition_weight", c.transition_weight},
         {"clip_weight", optional(c.clip_weight)},
         {"beta", c.beta},
         {"exp_weights", c.exp_weights},
         {"double_q", c.double_q},
         {"loss_weights", c.loss_weights}};
    if (c.alpha)
        j["alpha"] = *c.alpha;
    if (c.seperate_policy)
        j["seperate_policy"] = *c.seperate_policy;
    if (c.seperate_target)
        j["seperate_target"] = *c.seperate_target;
    for (const auto& [key, value] : {std::pair<const char*, bool>{"detach_v", c.detach_v},
                                     {"detach_q", c.detach_q},
                                     {"detach_pi", c.detach_pi},
                                     {"advanced_mlp", c.advanced_mlp}})
        if (value)
            j[key] = true;
}

void from_json(const nlohmann::json& j, IlqlConfig& c)
{
    Reader r(j, "ILQL config");
    r.number("gamma", c.gamma);
    r.number("tau", c.tau);
    r.number("cql_temp", c.cql_temp);
    r.number("dm_margin", c.dm_margin);
    r.optNumber("value_min", c.value_min);
    r.optNumber("value_max", c.value_max);
    r.number("transition_weight", c.transition_weight);
    r.optNumber("clip_weight", c.clip_weight);
    r.number("beta", c.beta);
    r.boolean("exp_weights", c.exp_weights);
    r.boolean("double_q", c.double_q);
    bool fixPadding = true;
    r.boolean("fix_padding_mask", fixPadding);
    if (!fixPadding)
        throw Error("ILQL config: fix_padding_mask false (the reference's unmasked first padded action "
                    "slot) is not reproduced; padded action slots are always masked out");
    if (const auto* w = r.object("loss_weights"))
        readWeights(*w, c.loss_weights, "ILQL config.loss_weights");
    r.optNumber("alpha", c.alpha);
    r.optBoolean("seperate_policy", c.seperate_policy);
    r.optBoolean("seperate_target", c.seperate_target);
    r.boolean("detach_v", c.detach_v);
    r.boolean("detach_q", c.detach_q);
    r.boolean("detach_pi", c.detach_pi);
    r.boolean("advanced_mlp", c.advanced_mlp);
    // The rest of the reference's model section says which network and data to load.
    for (const char* key : {"name", "dataset", "load", "gpt2"})
        if (r.has(key))
            throw Error(std::string("ILQL config: \"") + key
                        + "\" is a model-loading key of the reference's configuration, not an ILQL option "
                          "(choose the model with the trainer's init / modelPreset instead); remove it");
    r.finish();
    c.validate();
}

void to_json(nlohmann::json& j, const IlqlDecodeConfig& c)
{
    j = {{"temp", c.temp},
         {"top_k", c.top_k ? nlohmann::json(*c.top_k) : nlohmann::json(nullptr)},
         {"top_p", optional(c.top_p)},
         {"exp_adv", c.exp_adv},
         {"adv_weight", c.adv_weight},
         {"adv_clip", optional(c.adv_clip)},
         {"include_logits", c.include_logits},
         {"include_adv", c.include_adv}};
}

void from_json(const nlohmann::json& j, IlqlDecodeConfig& c)
{
    Reader r(j, "ILQL decoding config");
    r.number("temp", c.temp);
    r.optInteger("top_k", c.top_k);
    r.optNumber("top_p", c.top_p);
    r.boolean("exp_adv", c.exp_adv);
    r.number("adv_weight", c.adv_weight);
    r.optNumber("adv_clip", c.adv_clip);
    r.boolean("include_logits", c.include_logits);
    r.boolean("include_adv", c.include_adv);
    r.finish();
    c.validate();
}

} // namespace hw
