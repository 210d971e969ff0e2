#include "core/pipeline/persona_proposal.h"

#include "core/data/task_json.h"
#include "core/pipeline/llm_json_reply.h"
#include "core/util/error.h"

#include <cctype>
#include <cstdio>
#include <set>

namespace hw {
namespace {

std::string slug(const std::string& name)
{
    std::string out;
    for (const unsigned char c : name) {
        if (std::isalnum(c))
            out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out.substr(0, 48);
}

std::set<std::string> words(const std::string& s)
{
    std::set<std::string> out;
    std::string w;
    for (const unsigned char c : s + " ") {
        if (std::isalnum(c)) {
            w += static_cast<char>(std::tolower(c));
        } else if (!w.empty()) {
            out.insert(w);
            w.clear();
        }
    }
    return out;
}

} // namespace

std::vector<TaskPersona> parsePersonaReply(const std::string& reply, const std::string& request)
{
    std::string why;
    const auto list = firstJsonValue(reply, '[', &why);
    if (!list)
        throw Error(request + ": reply: " + why + " (expected a JSON array of personas)");
    if (list->empty())
        throw Error(request + ": reply: the array holds no personas");
    std::vector<TaskPersona> out;
    for (size_t i = 0; i < list->size(); ++i) {
        const nlohmann::json& p = (*list)[i];
        const std::string at = request + ": reply[" + std::to_string(i) + "]";
        if (!p.is_object())
            throw Error(at + ": expected a JSON object, found " + std::string(p.type_name()));
        for (const char* key : {"name", "description"}) {
            if (!p.contains(key) || !p[key].is_string())
                throw Error(at + "." + key + ": missing field (text)");
            if (p[key].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
                throw Error(at + "." + key + ": must not be empty");
        }
        if (!p.contains("hidden"))
            throw Error(at + ".hidden: missing field (a JSON object: what the persona knows, wants and hides)");
        try {
            validatePersonaHidden(p["hidden"], "hidden");
        } catch (const TaskDefinitionError& e) {
            throw Error(at + "." + e.field() + ": " + e.problem());
        }
        TaskPersona persona{slug(p["name"].get<std::string>()), p["description"].get<std::string>(), p["hidden"]};
        if (persona.name.empty())
            throw Error(at + ".name: '" + p["name"].get<std::string>() + "' has no letters or digits");
        out.push_back(std::move(persona));
    }
    return out;
}

std::string normalisedPersonaName(const std::string& name)
{
    std::string out;
    for (const unsigned char c : name)
        if (std::isalnum(c))
            out += static_cast<char>(std::tolower(c));
    return out;
}

double descriptionJaccard(const std::string& a, const std::string& b)
{
    const auto wa = words(a), wb = words(b);
    if (wa.empty() && wb.empty())
        return 1.0;
    size_t both = 0;
    for (const auto& w : wa)
        both += wb.count(w);
    return static_cast<double>(both) / static_cast<double>(wa.size() + wb.size() - both);
}

PersonaDedup dedupePersonas(const std::vector<TaskPersona>& existing, const std::vector<TaskPersona>& proposed,
                            double threshold)
{
    PersonaDedup out;
    std::vector<TaskPersona> seen = existing;
    for (const auto& p : proposed) {
        std::optional<PersonaDuplicate> dup;
        for (const auto& s : seen) {
            if (normalisedPersonaName(s.name) == normalisedPersonaName(p.name)) {
                dup = PersonaDuplicate{p.name, s.name, "same name"};
                break;
            }
            const double j = descriptionJaccard(s.description, p.description);
            if (j >= threshold) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "similar description (Jaccard %.2f)", j);
                dup = PersonaDuplicate{p.name, s.name, buf};
                break;
            }
        }
        if (dup) {
            out.duplicates.push_back(*dup);
            continue;
        }
        seen.push_back(p);
        out.kept.push_back(p);
    }
    return out;
}

nlohmann::json toJson(const PersonaDuplicate& d)
{
    return {{"name", d.name}, {"of", d.of}, {"reason", d.reason}};
}

} // namespace hw
