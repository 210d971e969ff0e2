#include "core/pipeline/personas.h"

#include "core/prompts/prompt_library.h"

#include <algorithm>

namespace hw {

std::vector<Persona> loadPersonas(const PromptLibrary& prompts, const Task& task)
{
    const auto file = prompts.readFile(task, "personas.json");
    if (!file && !task.personas.empty()) {
        // A task defined as data carries its personas; a personas.json in its prompt folder wins.
        std::vector<Persona> out;
        for (const auto& p : task.personas)
            out.push_back({p.name, p.description, p.hidden});
        return out;
    }
    if (!file)
        throw Error("no personas for task '" + task.name + "': none in its definition and no personas.json in the "
                    "prompt folders");
    const auto& [path, text] = *file;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array())
        throw Error(path + ": expected a JSON array of {\"name\", \"description\"}");
    std::vector<Persona> out;
    for (const auto& p : j) {
        if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("description")
            || !p["description"].is_string())
            throw Error(path + ": every persona needs a \"name\" and a \"description\" string");
        // Hidden state: a "hidden" object, and the older files' extra keys (counseling's
        // initial_intensity, situation, emotion, problem_type) that the user keeps to themself.
        nlohmann::json hidden = p.contains("hidden") && p["hidden"].is_object() ? p["hidden"] : nlohmann::json::object();
        for (auto it = p.begin(); it != p.end(); ++it)
            if (it.key() != "name" && it.key() != "description" && it.key() != "hidden" && it.key() != "default"
                && !hidden.contains(it.key()))
                hidden[it.key()] = it.value();
        out.push_back({p["name"].get<std::string>(), p["description"].get<std::string>(), hidden});
    }
    if (out.empty())
        throw Error(path + ": no personas");
    // Personas added to the definition (the personas stage) come after the file's.
    for (const auto& p : task.personas)
        if (std::none_of(out.begin(), out.end(), [&](const Persona& x) { return x.name == p.name; }))
            out.push_back({p.name, p.description, p.hidden});
    return out;
}

} // namespace hw
