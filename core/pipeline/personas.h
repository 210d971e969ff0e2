#pragma once
// Simulated users for imagined dialogues, from prompts/<task>/personas.json:
//   [{"name": "skeptical", "description": "Doubts that charities use money well ..."}, ...]
// (the user override folder wins, like every prompt file), or else from the task definition's
// personas (core/data/task.h).
#include "core/pipeline/stages.h"

#include <vector>

namespace hw {

class PromptLibrary;

// Throws hw::Error naming the file when it is missing or malformed.
std::vector<Persona> loadPersonas(const PromptLibrary& prompts, const Task& task);

} // namespace hw
