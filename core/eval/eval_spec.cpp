#include "core/eval/eval_spec.h"

#include "core/util/error.h"

#include <vector>

namespace hw {

const char* const kAgentSpecHelp =
    "ckpt:DIR[,beta=B][,name=N] or endpoint:PROFILE_OR_URL,model=M,prompt=plain|cot|procot|gdp-zero[,name=N]";
const char* const kSimulatorSpecHelp = "endpoint:PROFILE_OR_URL[,model=M] or local:FORWARD_CKPT,reward=REWARD_CKPT";

namespace {

struct Parts {
    std::string kind;
    std::string head;                                   // the part before the first ','
    std::vector<std::pair<std::string, std::string>> options;
};

// "kind:head,key=value,...". URLs contain ':' but never ',' in the parts we accept.
Parts split(const std::string& text, const std::string& what, const char* help)
{
    const size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0)
        throw Error("bad " + what + " spec '" + text + "': expected " + help);
    Parts p;
    p.kind = text.substr(0, colon);
    std::string rest = text.substr(colon + 1);
    size_t start = 0;
    bool first = true;
    while (start <= rest.size()) {
        const size_t comma = rest.find(',', start);
        const std::string part = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (first) {
            p.head = part;
            first = false;
        } else {
            const size_t eq = part.find('=');
            if (eq == std::string::npos || eq == 0)
                throw Error("bad " + what + " spec '" + text + "': option '" + part + "' is not key=value (expected "
                            + help + ")");
            p.options.emplace_back(part.substr(0, eq), part.substr(eq + 1));
        }
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (p.head.empty())
        throw Error("bad " + what + " spec '" + text + "': nothing after '" + p.kind + ":' (expected " + help + ")");
    return p;
}

std::string baseName(const std::string& path)
{
    std::string p = path;
    while (p.size() > 1 && p.back() == '/')
        p.pop_back();
    const size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

} // namespace

EvalAgentSpec parseAgentSpec(const std::string& text)
{
    const Parts p = split(text, "agent", kAgentSpecHelp);
    EvalAgentSpec s;
    s.text = text;
    s.kind = p.kind;
    auto bad = [&](const std::string& why) { return Error("bad agent spec '" + text + "': " + why + " (expected " + kAgentSpecHelp + ")"); };
    if (p.kind == "ckpt") {
        s.checkpoint = p.head;
        std::string betaText;
        for (const auto& [k, v] : p.options) {
            if (k == "beta") {
                betaText = v;
                try {
                    size_t used = 0;
                    s.beta = std::stod(v, &used);
                    if (used != v.size() || *s.beta < 0)
                        throw std::invalid_argument("beta");
                } catch (const std::exception&) {
                    throw bad("beta must be a number >= 0, not '" + v + "'");
                }
            } else if (k == "name")
                s.name = v;
            else
                throw bad("unknown option '" + k + "'");
        }
        if (s.name.empty())
            s.name = s.beta ? baseName(s.checkpoint) + " beta=" + betaText : baseName(s.checkpoint);
        s.prompt.clear();
    } else if (p.kind == "endpoint") {
        s.endpoint = p.head;
        for (const auto& [k, v] : p.options) {
            if (k == "model")
                s.model = v;
            else if (k == "prompt") {
                if (v != "plain" && v != "cot" && v != "procot" && v != "gdp-zero")
                    throw bad("prompt must be plain, cot, procot or gdp-zero, not '" + v + "'");
                s.prompt = v;
            } else if (k == "name")
                s.name = v;
            else
                throw bad("unknown option '" + k + "'");
        }
        if (s.name.empty())
            s.name = (s.model.empty() ? baseName(s.endpoint) : s.model) + " " + s.prompt;
    } else
        throw bad("unknown kind '" + p.kind + "'");
    return s;
}

SimulatorSpec parseSimulatorSpec(const std::string& text)
{
    const Parts p = split(text, "simulator", kSimulatorSpecHelp);
    SimulatorSpec s;
    s.text = text;
    s.kind = p.kind;
    auto bad = [&](const std::string& why) {
        return Error("bad simulator spec '" + text + "': " + why + " (expected " + kSimulatorSpecHelp + ")");
    };
    if (p.kind == "endpoint") {
        s.endpoint = p.head;
        for (const auto& [k, v] : p.options) {
            if (k == "model")
                s.model = v;
            else
                throw bad("unknown option '" + k + "'");
        }
    } else if (p.kind == "local") {
        s.forward = p.head;
        for (const auto& [k, v] : p.options) {
            if (k == "reward")
                s.reward = v;
            else
                throw bad("unknown option '" + k + "'");
        }
        if (s.reward.empty())
            throw bad("a local simulator needs reward=REWARD_CKPT");
    } else
        throw bad("unknown kind '" + p.kind + "'");
    return s;
}

void to_json(nlohmann::json& j, const EvalAgentSpec& s)
{
    j = {{"spec", s.text}, {"kind", s.kind}, {"name", s.name}};
    if (s.kind == "ckpt") {
        j["checkpoint"] = s.checkpoint;
        if (s.beta)
            j["beta"] = *s.beta;
    } else {
        j["endpoint"] = s.endpoint;
        j["model"] = s.model;
        j["prompt"] = s.prompt;
    }
}

void to_json(nlohmann::json& j, const SimulatorSpec& s)
{
    j = {{"spec", s.text}, {"kind", s.kind}};
    if (s.kind == "local") {
        j["forward"] = s.forward;
        j["reward"] = s.reward;
    } else {
        j["endpoint"] = s.endpoint;
        j["model"] = s.model;
    }
}

} // namespace hw
