#pragma once
// Simulated users for imagined dialogues, from prompts/<task>/personas.json:
//   [{"name": "skeptical", "description": "Doubts that charities use money well ..."}, ...]
// (the user override folder wins, like every prompt file) followed by the task definition's
// personas of other names (core/data/task.h; the personas stage appends there), or else from the
// definition alone. Each keeps its hidden state: a "hidden" object, plus the file's other keys
// (counseling's initial_intensity, situation, ...).
#include "core/pipeline/stages.h"

#include <vector>

namespace hw {

class PromptLibrary;

// Throws hw::Error naming the file when it is missing or malformed.
std::vector<Persona> loadPersonas(const PromptLibrary& prompts, const Task& task);

} // namespace hw
