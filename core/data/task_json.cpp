#include "core/data/task_json.h"

#include "core/io/json_guard.h"

#include <cmath>
#include <set>
#include <sstream>

namespace hw {
namespace {

using nlohmann::json;

std::string fmt(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

std::string typeName(const json& v)
{
    return v.is_null() ? "null" : std::string(v.type_name());
}

// Reads the fields of one JSON object, naming each by its path ("reward.min") in errors.
class Fields {
public:
    Fields(const json& obj, std::string path) : m_obj(obj), m_path(std::move(path))
    {
        if (!m_obj.is_object())
            throw TaskDefinitionError(m_path.empty() ? "(top level)" : m_path,
                                      "expected a JSON object, found " + typeName(m_obj));
    }

    std::string path(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }
    bool has(const std::string& key) const { return m_obj.contains(key) && !m_obj.at(key).is_null(); }

    const json& get(const std::string& key) const
    {
        if (!has(key))
            throw TaskDefinitionError(path(key), "missing field '" + path(key) + "'");
        return m_obj.at(key);
    }
    std::string text(const std::string& key, bool required = true) const
    {
        if (!required && !has(key))
            return {};
        const json& v = get(key);
        if (!v.is_string())
            throw TaskDefinitionError(path(key), "expected text, found " + typeName(v));
        return v.get<std::string>();
    }
    double number(const std::string& key) const
    {
        const json& v = get(key);
        if (!v.is_number())
            throw TaskDefinitionError(path(key), "expected a number, found " + typeName(v));
        return v.get<double>();
    }
    int integer(const std::string& key) const
    {
        const json& v = get(key);
        if (!v.is_number_integer())
            throw TaskDefinitionError(path(key), "expected a whole number, found " + typeName(v));
        const auto n = v.get<int64_t>();
        if (n < 0 || n > 100000)
            throw TaskDefinitionError(path(key), fmt(static_cast<double>(n)) + " is out of range");
        return static_cast<int>(n);
    }
    const json& array(const std::string& key) const
    {
        const json& v = get(key);
        if (!v.is_array())
            throw TaskDefinitionError(path(key), "expected a JSON list, found " + typeName(v));
        return v;
    }

private:
    const json& m_obj;
    std::string m_path;
};

std::string indexed(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::vector<TaskPersona> personasFromJson(const json& list, const std::string& path)
{
    if (!list.is_array())
        throw TaskDefinitionError(path, "expected a JSON list of {\"name\", \"description\"}, found " + typeName(list));
    std::vector<TaskPersona> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const Fields p(list[i], indexed(path, i));
        TaskPersona persona{p.text("name"), p.text("description")};
        if (p.has("hidden")) {
            const json& hidden = p.get("hidden");
            if (!hidden.is_object())
                throw TaskDefinitionError(p.path("hidden"), "expected a JSON object, found " + typeName(hidden));
            persona.hidden = hidden;
        }
        out.push_back(std::move(persona));
    }
    return out;
}

void requireText(const std::string& value, const std::string& field)
{
    if (value.find_first_not_of(" \t\r\n") == std::string::npos)
        throw TaskDefinitionError(field, "must not be empty");
}

void requireInRange(double v, const Task& t, const std::string& field)
{
    if (!std::isfinite(v) || v < t.rewardMin || v > t.rewardMax)
        throw TaskDefinitionError(field, fmt(v) + " is outside the reward range [" + fmt(t.rewardMin) + ", "
                                             + fmt(t.rewardMax) + "]");
}

} // namespace

void validatePersonaHidden(const nlohmann::json& hidden, const std::string& field)
{
    if (!hidden.is_object())
        throw TaskDefinitionError(field, "expected a JSON object, found " + typeName(hidden));
    if (hidden.contains("initial_intensity")) {
        const json& v = hidden["initial_intensity"];
        const std::string at = field + ".initial_intensity";
        if (!v.is_number())
            throw TaskDefinitionError(at, "expected a whole number from 1 to 5, found " + typeName(v));
        const double x = v.get<double>();
        if (!std::isfinite(x) || x != std::floor(x) || x < 1 || x > 5)
            throw TaskDefinitionError(at, fmt(x) + " is outside 1..5");
    }
}

bool isValidTaskName(const std::string& name)
{
    if (name.empty() || name.size() > 64)
        return false;
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

void validateTask(const Task& t)
{
    if (!isValidTaskName(t.name))
        throw TaskDefinitionError("name", "'" + t.name + "' is not a task name: use 1-64 of a-z, 0-9, '-' and '_'");
    if (t.kind != TaskKind::Custom && !t.builtin())
        throw TaskDefinitionError("kind", "'" + toString(t.kind) + "' is reserved for the built-in task of that name");
    requireText(t.description, "description");
    requireText(t.agentRole, "agent_role.name");
    requireText(t.agentRoleDescription, "agent_role.description");
    requireText(t.userRole, "user_role.name");
    requireText(t.userRoleDescription, "user_role.description");
    if (t.agentRole == t.userRole)
        throw TaskDefinitionError("user_role.name", "must differ from agent_role.name ('" + t.agentRole + "')");
    if (t.opener != "agent" && t.opener != "user")
        throw TaskDefinitionError("opener", "'" + t.opener + "' is not agent or user");
    if (t.turnCap < 2 || t.turnCap > 200)
        throw TaskDefinitionError("turn_cap", std::to_string(t.turnCap) + " is outside 2-200");
    requireText(t.rewardName, "reward.measures");
    if (!std::isfinite(t.rewardMin))
        throw TaskDefinitionError("reward.min", "must be a finite number");
    if (!std::isfinite(t.rewardMax))
        throw TaskDefinitionError("reward.max", "must be a finite number");
    if (!(t.rewardMin < t.rewardMax))
        throw TaskDefinitionError("reward.max", fmt(t.rewardMax) + " is not above reward.min (" + fmt(t.rewardMin) + ")");
    requireText(t.rewardRubric, "reward.rubric");
    for (size_t i = 0; i < t.rewardAnchors.size(); ++i) {
        requireInRange(t.rewardAnchors[i].score, t, indexed("reward.anchors", i) + ".score");
        requireText(t.rewardAnchors[i].meaning, indexed("reward.anchors", i) + ".meaning");
    }
    requireText(t.outcomeQuestion, "outcome_question");
    for (size_t i = 0; i < t.examples.size(); ++i) {
        const TaskExample& e = t.examples[i];
        const std::string at = indexed("examples", i);
        if (e.turns.empty())
            throw TaskDefinitionError(at + ".turns", "must hold at least one turn");
        for (size_t k = 0; k < e.turns.size(); ++k) {
            if (e.turns[k].role != "agent" && e.turns[k].role != "user")
                throw TaskDefinitionError(indexed(at + ".turns", k) + ".role",
                                          "'" + e.turns[k].role + "' is not agent or user");
            requireText(e.turns[k].text, indexed(at + ".turns", k) + ".text");
        }
        requireInRange(e.reward, t, at + ".reward");
    }
    std::set<std::string> names;
    for (size_t i = 0; i < t.personas.size(); ++i) {
        requireText(t.personas[i].name, indexed("personas", i) + ".name");
        requireText(t.personas[i].description, indexed("personas", i) + ".description");
        if (!names.insert(t.personas[i].name).second)
            throw TaskDefinitionError(indexed("personas", i) + ".name", "'" + t.personas[i].name + "' appears twice");
        validatePersonaHidden(t.personas[i].hidden, indexed("personas", i) + ".hidden");
    }
}

json taskToJson(const Task& t)
{
    json anchors = json::array();
    for (const auto& a : t.rewardAnchors)
        anchors.push_back({{"score", a.score}, {"meaning", a.meaning}});
    json examples = json::array();
    for (const auto& e : t.examples) {
        json turns = json::array();
        for (const auto& turn : e.turns)
            turns.push_back({{"role", turn.role}, {"text", turn.text}});
        json x = {{"turns", turns}, {"reward", e.reward}};
        if (!e.note.empty())
            x["note"] = e.note;
        examples.push_back(std::move(x));
    }
    json personas = json::array();
    for (const auto& p : t.personas) {
        json x = {{"name", p.name}, {"description", p.description}};
        if (p.hidden.is_object() && !p.hidden.empty())
            x["hidden"] = p.hidden;
        personas.push_back(std::move(x));
    }
    return json{{"format", "hindsight-task"},
                {"version", 1},
                {"name", t.name},
                {"kind", toString(t.kind)},
                {"description", t.description},
                {"agent_role", {{"name", t.agentRole}, {"description", t.agentRoleDescription}}},
                {"user_role", {{"name", t.userRole}, {"description", t.userRoleDescription}}},
                {"opener", t.opener},
                {"turn_cap", t.turnCap},
                {"reward",
                 {{"measures", t.rewardName},
                  {"min", t.rewardMin},
                  {"max", t.rewardMax},
                  {"source", toString(t.rewardSource)},
                  {"rubric", t.rewardRubric},
                  {"anchors", anchors}}},
                {"outcome_question", t.outcomeQuestion},
                {"examples", examples},
                {"personas", personas}};
}

Task taskFromJson(const json& j)
{
    const Fields top(j, "");
    if (top.has("format") && top.text("format") != "hindsight-task")
        throw TaskDefinitionError("format", "'" + top.text("format") + "' is not hindsight-task");
    if (top.has("version") && top.integer("version") != 1)
        throw TaskDefinitionError("version", "this build reads version 1 task files");
    Task t;
    t.name = top.text("name");
    if (top.has("kind")) {
        try {
            t.kind = taskKindFromString(top.text("kind"));
        } catch (const TaskDefinitionError&) {
            throw;
        } catch (const Error& e) {
            throw TaskDefinitionError("kind", e.what());
        }
    }
    t.description = top.text("description");
    const Fields agent(top.get("agent_role"), "agent_role");
    t.agentRole = agent.text("name");
    t.agentRoleDescription = agent.text("description");
    const Fields user(top.get("user_role"), "user_role");
    t.userRole = user.text("name");
    t.userRoleDescription = user.text("description");
    t.opener = top.text("opener");
    t.turnCap = top.integer("turn_cap");
    const Fields reward(top.get("reward"), "reward");
    t.rewardName = reward.text("measures");
    t.rewardMin = reward.number("min");
    t.rewardMax = reward.number("max");
    try {
        t.rewardSource = rewardSourceFromString(reward.text("source"));
    } catch (const TaskDefinitionError&) {
        throw;
    } catch (const Error& e) {
        throw TaskDefinitionError("reward.source", e.what());
    }
    t.rewardRubric = reward.text("rubric");
    if (reward.has("anchors")) {
        const json& anchors = reward.array("anchors");
        for (size_t i = 0; i < anchors.size(); ++i) {
            const Fields a(anchors[i], indexed("reward.anchors", i));
            t.rewardAnchors.push_back({a.number("score"), a.text("meaning")});
        }
    }
    t.outcomeQuestion = top.text("outcome_question");
    if (top.has("examples")) {
        const json& examples = top.array("examples");
        for (size_t i = 0; i < examples.size(); ++i) {
            const Fields e(examples[i], indexed("examples", i));
            TaskExample x;
            const json& turns = e.array("turns");
            for (size_t k = 0; k < turns.size(); ++k) {
                const Fields turn(turns[k], indexed(e.path("turns"), k));
                x.turns.push_back({turn.text("role"), turn.text("text")});
            }
            x.reward = e.number("reward");
            x.note = e.text("note", false);
            t.examples.push_back(std::move(x));
        }
    }
    if (top.has("personas")) {
        const json& personas = top.get("personas");
        // An LLM sometimes writes the list as a string holding JSON: read it, or say it is not JSON.
        if (personas.is_string())
            t.personas = parsePersonaList(personas.get<std::string>(), "");
        else
            t.personas = personasFromJson(personas, "personas");
    }
    validateTask(t);
    return t;
}

std::vector<TaskPersona> parsePersonaList(const std::string& text, const std::string& origin)
{
    json list;
    try {
        list = parseJsonFromFile(text, "personas", 0);
    } catch (const Error& e) {
        throw TaskDefinitionError("personas", std::string("not a JSON list (") + e.what() + ")", origin);
    }
    try {
        return personasFromJson(list, "personas");
    } catch (const TaskDefinitionError& e) {
        throw TaskDefinitionError(e.field(), e.problem(), origin);
    }
}

Task parseTaskJson(const std::string& text, const std::string& origin)
{
    const json j = parseJsonFromFile(text, origin, 0);
    try {
        return taskFromJson(j);
    } catch (const TaskDefinitionError& e) {
        throw TaskDefinitionError(e.field(), e.problem(), origin);
    }
}

} // namespace hw
