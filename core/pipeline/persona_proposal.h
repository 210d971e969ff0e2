#pragma once
// Personas proposed by an LLM for a task (the personas stage, persona_job.h): reading the reply
// and dropping duplicates. Pure functions, tested without a server.
#include "core/data/task.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

// The personas in a reply: its first JSON array of {"name", "description", "hidden": {...}}.
// `request` names the call in messages ("personas request 'propose' (llm call 7)"). Names are
// made slugs (a-z, 0-9, '-') as they go into dialogue uids. Throws hw::Error naming the request
// and the field: "...: reply[2].hidden.initial_intensity: 9 is outside 1..5".
std::vector<TaskPersona> parsePersonaReply(const std::string& reply, const std::string& request);

// A name compared for duplicates: lower case, letters and digits only.
std::string normalisedPersonaName(const std::string& name);
// Jaccard similarity of the lower-case word sets of two descriptions (0..1).
double descriptionJaccard(const std::string& a, const std::string& b);

struct PersonaDuplicate {
    std::string name;      // the proposed persona dropped
    std::string of;        // the persona it duplicates (existing or proposed earlier)
    std::string reason;    // "same name" | "similar description (Jaccard 0.71)"
};
struct PersonaDedup {
    std::vector<TaskPersona> kept;
    std::vector<PersonaDuplicate> duplicates;
};
inline constexpr double kPersonaJaccardThreshold = 0.6;
// Drops proposed personas whose normalised name equals, or whose description has word-set
// Jaccard >= threshold with, an existing persona or one proposed before it.
PersonaDedup dedupePersonas(const std::vector<TaskPersona>& existing, const std::vector<TaskPersona>& proposed,
                            double threshold = kPersonaJaccardThreshold);
nlohmann::json toJson(const PersonaDuplicate& d);

} // namespace hw
