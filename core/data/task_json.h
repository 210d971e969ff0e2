#pragma once
// A task definition as a JSON file (`hindsight task export/import`, the Tasks page, the LLM
// drafter). Keys are snake_case; "kind", "reward.anchors", "examples" and "personas" may be left out:
//
//   {"format": "hindsight-task", "version": 1,
//    "name": "teaching", "kind": "custom",
//    "description": "A teacher explains a concept to a student whose prior knowledge is hidden.",
//    "agent_role": {"name": "teacher", "description": "Explains ..."},
//    "user_role":  {"name": "student", "description": "Knows ... but does not say so."},
//    "opener": "agent", "turn_cap": 12,
//    "reward": {"measures": "student understanding", "min": 0, "max": 5,
//               "source": "user_rating" | "judge", "rubric": "...",
//               "anchors": [{"score": 0, "meaning": "..."}, {"score": 5, "meaning": "..."}]},
//    "outcome_question": "How well do you understand ... now, from 0 to 5?",
//    "examples": [{"turns": [{"role": "agent", "text": "..."}, ...], "reward": 4, "note": "..."}],
//    "personas": [{"name": "...", "description": "...",
//                  "hidden": {"knowledge": "...", "preferences": "...", "willingness": "...",
//                             "initial_intensity": 4 (counseling: 1-5)}}]}   ("hidden" optional)
//
// Reading is strict and names the field: "missing field 'agent_role.description'",
// "reward.anchors[2].score: 7 is outside the reward range [0, 5]". The field-by-field reader is
// hand-written rather than NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT because the macro fills
// a missing field with its default silently, and a definition with a missing field must be refused.
#include "core/data/task.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

// A definition that is incomplete or invalid; field() is its JSON path ("reward.max").
class TaskDefinitionError : public Error {
public:
    TaskDefinitionError(const std::string& field, const std::string& problem, const std::string& origin = "")
        : Error((origin.empty() ? "" : origin + ": ") + field + ": " + problem), m_field(field), m_problem(problem) {}
    const std::string& field() const { return m_field; }
    const std::string& problem() const { return m_problem; }

private:
    std::string m_field;
    std::string m_problem;
};

nlohmann::json taskToJson(const Task& task);
// Throws TaskDefinitionError (missing or mistyped field, or validateTask's problems).
Task taskFromJson(const nlohmann::json& json);
// Parses and reads a whole file's text; `origin` (a path, "LLM draft") prefixes every message.
// Throws hw::Error (not JSON) or TaskDefinitionError ("origin: field: problem").
Task parseTaskJson(const std::string& text, const std::string& origin);

// A persona list, as in a task file's "personas" or a personas.json: a JSON array of
// {"name", "description"}. `origin` prefixes messages. Throws TaskDefinitionError ("personas: ...").
std::vector<TaskPersona> parsePersonaList(const std::string& text, const std::string& origin);

// Every rule a complete definition obeys (names, ranges, anchors and examples inside the reward
// range, opener, turn cap, unique persona names). Throws TaskDefinitionError naming the first field
// that breaks one.
void validateTask(const Task& task);

// A persona's hidden state: a JSON object; "initial_intensity", when there, a whole number 1-5.
// Throws TaskDefinitionError naming `field` ("personas[2].hidden.initial_intensity: 9 is outside 1..5").
void validatePersonaHidden(const nlohmann::json& hidden, const std::string& field);

// True for a name usable as a task key and a prompts/ folder name: 1-64 of a-z, 0-9, '-', '_'.
bool isValidTaskName(const std::string& name);

} // namespace hw
