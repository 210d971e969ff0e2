#include "core/io/chat_json.h"

#include "core/io/content_hash.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

#include <algorithm>

namespace hw {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kSystemKey = "system_messages";

// "content" as a string, or OpenAI's list of parts [{"type": "text", "text": "..."}].
std::string contentText(const json& c, size_t i)
{
    if (c.is_string())
        return c.get<std::string>();
    if (c.is_null())
        return "";
    if (c.is_array()) {
        std::string out;
        for (const auto& part : c) {
            if (part.is_object() && part.value("type", "") == "text" && part.contains("text")
                && part["text"].is_string())
                out += part["text"].get<std::string>();
            else
                throw Error("message " + std::to_string(i + 1) + ": unsupported content part "
                            + part.dump().substr(0, 80));
        }
        return out;
    }
    throw Error("message " + std::to_string(i + 1) + ": \"content\" must be a string, found "
                + c.type_name());
}

std::optional<double> rewardValue(const json& r)
{
    if (r.is_null())
        return std::nullopt;
    if (r.is_number())
        return r.get<double>();
    if (r.is_string())
        if (const auto x = text::parseNumber(r.get<std::string>()))
            return x;
    throw Error("\"reward\" " + r.dump().substr(0, 40) + " is not a number");
}

std::string idString(const json& id)
{
    if (id.is_string())
        return id.get<std::string>();
    if (id.is_number_integer())
        return std::to_string(id.get<int64_t>());
    throw Error("\"id\" must be a string or an integer, found " + id.dump().substr(0, 40));
}

std::string optionalString(const json& j, const char* key, const std::string& fallback)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_string())
        throw Error(std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
}

} // namespace

Dialogue dialogueFromChatJson(const json& j, const std::string& defaultTask)
{
    if (!j.is_object())
        throw Error(std::string("expected a JSON object, found ") + j.type_name());
    const auto messages = j.find("messages");
    if (messages == j.end() || !messages->is_array())
        throw Error("missing \"messages\" list");

    Dialogue d;
    d.task = optionalString(j, "task", defaultTask);
    if (d.task.empty())
        throw Error("no \"task\" (add one to the line or choose a default task)");
    d.source = optionalString(j, "source", source::kJsonl);
    if (d.source.empty())
        d.source = source::kJsonl;
    d.split = optionalString(j, "split", "");
    if (const auto m = j.find("metadata"); m != j.end() && !m->is_null()) {
        if (!m->is_object())
            throw Error("\"metadata\" must be an object");
        d.metadata = *m;
    }
    if (const auto f = j.find("flags"); f != j.end() && !f->is_null()) {
        if (!f->is_number_unsigned())
            throw Error("\"flags\" must be a non-negative integer");
        d.flags = f->get<uint32_t>();
    }

    json system = json::array();
    std::vector<std::string> texts;
    for (size_t i = 0; i < messages->size(); ++i) {
        const json& m = (*messages)[i];
        if (!m.is_object())
            throw Error("message " + std::to_string(i + 1) + " is not an object");
        const auto role = m.find("role");
        if (role == m.end() || !role->is_string())
            throw Error("message " + std::to_string(i + 1) + " has no \"role\"");
        const std::string r = role->get<std::string>();
        const std::string content = contentText(m.value("content", json()), i);
        if (r == "system") {
            system.push_back({{"position", i}, {"content", content}});
            continue;
        }
        Turn t;
        if (r == "assistant" || r == "agent")
            t.role = Role::Agent;
        else if (r == "user")
            t.role = Role::User;
        else
            throw Error("message " + std::to_string(i + 1) + ": unknown role '" + r
                        + "' (expected user, assistant, agent or system)");
        t.index = static_cast<int>(d.turns.size());
        t.text = content;
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (it.key() == "role" || it.key() == "content")
                continue;
            if (it.key() == "annotations" && it->is_object())
                t.annotations.update(*it);
            else
                t.annotations[it.key()] = *it;
        }
        texts.push_back(content);
        d.turns.push_back(std::move(t));
    }
    if (!system.empty())
        d.metadata[kSystemKey] = system;

    const auto id = j.find("id");
    d.uid = id != j.end() && !id->is_null() ? idString(*id) : dialogueContentHash(texts);
    if (d.uid.empty())
        throw Error("empty \"id\"");
    if (const auto r = j.find("reward"); r != j.end())
        d.reward = rewardValue(*r);
    if (d.reward)
        d.rewardSource = optionalString(j, "reward_source", "dataset");
    return d;
}

ordered_json dialogueToChatJson(const Dialogue& d, ChatMessageStyle style)
{
    json metadata = d.metadata.is_object() ? d.metadata : json::object();
    json system = json::array();
    if (const auto s = metadata.find(kSystemKey); s != metadata.end()) {
        if (s->is_array())
            system = *s;
        metadata.erase(kSystemKey);
    }

    ordered_json messages = ordered_json::array();
    for (const Turn& t : d.turns) {
        ordered_json m;
        m["role"] = t.role == Role::Agent ? "assistant" : "user";
        m["content"] = t.text;
        if (style == ChatMessageStyle::Annotated && t.annotations.is_object() && !t.annotations.empty())
            m["annotations"] = ordered_json(t.annotations);
        messages.push_back(std::move(m));
    }
    // System messages go back where they were (positions ascend, so earlier inserts are counted).
    for (const auto& s : system) {
        const size_t pos = std::min<size_t>(s.value("position", size_t(0)), messages.size());
        messages.insert(messages.begin() + static_cast<std::ptrdiff_t>(pos),
                        ordered_json{{"role", "system"}, {"content", s.value("content", "")}});
    }

    ordered_json j;
    j["id"] = d.uid;
    j["task"] = d.task;
    j["messages"] = std::move(messages);
    j["reward"] = d.reward ? ordered_json(*d.reward) : ordered_json(nullptr);
    j["metadata"] = ordered_json(metadata);
    if (d.reward && !d.rewardSource.empty())
        j["reward_source"] = d.rewardSource;
    j["source"] = d.source;
    if (!d.split.empty())
        j["split"] = d.split;
    if (d.flags)
        j["flags"] = d.flags;
    return j;
}

} // namespace hw
