#include "core/eval/eval_persona.h"

#include "core/prompts/prompt_library.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace hw {
namespace {

std::string where(const std::string& path, size_t index, const nlohmann::json& p)
{
    std::string s = path + ": persona " + std::to_string(index + 1);
    if (p.is_object() && p.contains("name") && p["name"].is_string())
        s += " ('" + p["name"].get<std::string>() + "')";
    return s;
}

std::string requireString(const std::string& at, const nlohmann::json& p, const char* field, bool required)
{
    const auto it = p.find(field);
    if (it == p.end()) {
        if (required)
            throw Error(at + ": missing field \"" + field + "\"");
        return {};
    }
    if (!it->is_string() || (required && it->get<std::string>().empty()))
        throw Error(at + ": field \"" + field + "\" must be a non-empty string");
    return it->get<std::string>();
}

// ESConv stores intensities as strings ("3") or numbers.
std::optional<int> intensityOf(const nlohmann::json& v)
{
    double d = 0;
    if (v.is_number())
        d = v.get<double>();
    else if (v.is_string()) {
        try {
            size_t used = 0;
            d = std::stod(v.get<std::string>(), &used);
        } catch (...) {
            return std::nullopt;
        }
    } else
        return std::nullopt;
    if (d != std::floor(d) || d < 1 || d > 5)
        return std::nullopt;
    return static_cast<int>(d);
}

} // namespace

std::string EvalPersona::promptText() const
{
    std::string s = description;
    if (!problemType.empty())
        s += "\nProblem: " + problemType;
    if (!emotion.empty())
        s += "\nEmotion: " + emotion;
    if (!situation.empty())
        s += "\nSituation: " + situation;
    if (initialIntensity > 0)
        s += "\nInitial emotional intensity (1 = mild, 5 = very strong): " + std::to_string(initialIntensity);
    return s;
}

std::vector<EvalPersona> parseEvalPersonas(const std::string& path, const std::string& text, const Task& task)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded())
        throw Error(path + ": not valid JSON");
    if (!j.is_array())
        throw Error(path + ": expected a JSON array of personas ({\"name\", \"description\", ...})");
    const bool counseling = task.kind == TaskKind::Counseling;
    std::vector<EvalPersona> out;
    for (size_t i = 0; i < j.size(); ++i) {
        const auto& p = j[i];
        const std::string at = where(path, i, p);
        if (!p.is_object())
            throw Error(at + ": expected an object");
        EvalPersona e;
        e.name = requireString(at, p, "name", true);
        e.description = requireString(at, p, "description", true);
        if (const auto d = p.find("default"); d != p.end()) {
            if (!d->is_boolean())
                throw Error(at + ": field \"default\" must be true or false");
            e.isDefault = d->get<bool>();
        }
        e.problemType = requireString(at, p, "problem_type", false);
        e.emotion = requireString(at, p, "emotion", false);
        e.situation = requireString(at, p, "situation", false);
        if (const auto it = p.find("initial_intensity"); it != p.end()) {
            if (!it->is_number_integer() || it->get<int>() < 1 || it->get<int>() > 5)
                throw Error(at + ": field \"initial_intensity\" must be an integer from 1 to 5");
            e.initialIntensity = it->get<int>();
        } else if (counseling)
            throw Error(at + ": missing field \"initial_intensity\" (counseling personas need it: reward = initial - final)");
        e.origin = "personas.json";
        if (std::any_of(out.begin(), out.end(), [&](const EvalPersona& o) { return o.name == e.name; }))
            throw Error(at + ": field \"name\" repeats an earlier persona");
        out.push_back(std::move(e));
    }
    if (out.empty())
        throw Error(path + ": no personas");
    return out;
}

std::vector<EvalPersona> loadEvalPersonas(const PromptLibrary& prompts, const Task& task)
{
    const auto file = prompts.readFile(task, "personas.json");
    if (!file && !task.personas.empty()) {
        // A task defined as data carries its personas; a personas.json in its prompt folder wins.
        std::vector<EvalPersona> out;
        for (const auto& p : task.personas) {
            EvalPersona e;
            e.name = p.name;
            e.description = p.description;
            e.origin = "task definition";
            out.push_back(std::move(e));
        }
        return out;
    }
    if (!file)
        throw Error("no personas for task '" + task.name + "': none in its definition and no personas.json in the "
                    "prompt folders");
    return parseEvalPersonas(file->first, file->second, task);
}

std::vector<EvalPersona> selectPersonas(const std::vector<EvalPersona>& all, const std::vector<std::string>& names)
{
    std::vector<EvalPersona> out;
    if (names.empty()) {
        for (const auto& p : all)
            if (p.isDefault)
                out.push_back(p);
        return out.empty() ? all : out;
    }
    for (const auto& n : names) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const EvalPersona& p) { return p.name == n; });
        if (it == all.end()) {
            std::string known;
            for (const auto& p : all)
                known += (known.empty() ? "" : ", ") + p.name;
            throw Error("unknown persona '" + n + "' (known: " + known + ")");
        }
        out.push_back(*it);
    }
    return out;
}

EvalPersona personaFromEsconvMetadata(const std::string& uid, const nlohmann::json& m)
{
    EvalPersona e;
    if (!m.is_object())
        return e;
    const auto str = [&](const char* k) { return m.contains(k) && m[k].is_string() ? m[k].get<std::string>() : std::string(); };
    std::optional<int> initial;
    if (m.contains("initial_emotion_intensity"))
        initial = intensityOf(m["initial_emotion_intensity"]);
    const std::string problem = str("problem_type");
    const std::string emotion = str("emotion_type");
    const std::string situation = str("situation");
    if (!initial || problem.empty() || emotion.empty() || situation.empty())
        return e;
    e.name = "esconv-" + uid.substr(0, 8);
    e.description = "A person seeking emotional support who feels " + emotion + " about " + problem + ".";
    e.problemType = problem;
    e.emotion = emotion;
    e.situation = situation;
    e.initialIntensity = *initial;
    e.origin = "esconv:" + uid;
    return e;
}

} // namespace hw
