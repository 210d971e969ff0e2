#pragma once
// The simulated users of an evaluation, as data: prompts/<task>/personas.json (the user override
// folder wins, like every prompt file). The file imagine also reads; evaluation reads more fields:
//
//   [{"name": "skeptical", "description": "Doubts that charities ...", "default": true},
//    {"name": "job-loss", "description": "...", "problem_type": "job crisis", "emotion": "anxiety",
//     "situation": "I was laid off ...", "initial_intensity": 4}]
//
// "default": true marks the set used when none is named (persuasion: the paper's four).
// Counseling personas carry a problem type, an emotion, a situation and an initial intensity
// (1-5); the project's imported ESConv dialogues can supply them instead (personasFromEsconv).
#include "core/data/task.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

class PromptLibrary;

struct EvalPersona {
    std::string name;
    std::string description;
    bool isDefault = false;
    // Counseling only ("" / 0 for persuasion).
    std::string problemType;
    std::string emotion;
    std::string situation;
    int initialIntensity = 0;     // 1-5
    std::string origin;           // "personas.json" or "esconv:<dialogue uid>"

    // The persona as the simulator prompt shows it (description, and the counseling fields).
    std::string promptText() const;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EvalPersona, name, description, isDefault, problemType, emotion,
                                                situation, initialIntensity, origin)

// Parses a personas file. `path` is only used in messages. Throws hw::Error naming the file, the
// persona (index and name) and the field that is wrong.
std::vector<EvalPersona> parseEvalPersonas(const std::string& path, const std::string& text, const Task& task);
// The task's personas.json from the prompt folders; throws hw::Error when absent or malformed.
std::vector<EvalPersona> loadEvalPersonas(const PromptLibrary& prompts, const Task& task);
// Those named (in the order given; unknown names throw, listing the known ones), or the default
// set when `names` is empty (every persona when none is marked default).
std::vector<EvalPersona> selectPersonas(const std::vector<EvalPersona>& all, const std::vector<std::string>& names);

// A persona from the metadata of an imported ESConv dialogue (emotion_type, problem_type,
// situation, survey initial intensity); nullopt-like empty name when the metadata lacks them.
EvalPersona personaFromEsconvMetadata(const std::string& uid, const nlohmann::json& metadata);

} // namespace hw
