#include "core/io/esconv_import.h"

#include "core/data/task.h"
#include "core/io/content_hash.h"
#include "core/io/json_guard.h"
#include "core/io/json_lines.h"
#include "core/io/json_locate.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

#include <algorithm>
#include <filesystem>
#include <functional>

namespace hw {
namespace {

using nlohmann::json;

// Maps a path inside one dialogue object (e.g. {"dialog", 3, "speaker"}) to a line of the file.
using LineOf = std::function<int(const std::vector<JsonPathStep>&)>;

struct FileContext {
    std::string path;
    std::string split;   // train | valid | test | ""
    bool failed = false; // FailedESConv.json
    std::string layout;  // "hf" | "raw"
};

[[noreturn]] void fail(const FileContext& f, int line, const std::string& reason)
{
    throw Error(f.path + ":" + std::to_string(line) + ": " + reason);
}

std::string splitFromName(const std::string& path)
{
    const std::string name = text::toLower(text::baseName(path));
    if (name.find("train") != std::string::npos)
        return "train";
    if (name.find("valid") != std::string::npos || name.find("dev") != std::string::npos)
        return "valid";
    if (name.find("test") != std::string::npos)
        return "test";
    return "";
}

// Line numbers are only looked up on failure: locating a value in a large array is a scan.
Role roleOf(const FileContext& f, const json& speaker, const std::function<int()>& line)
{
    const std::string s = speaker.is_string() ? speaker.get<std::string>() : speaker.dump();
    if (s == "sys" || s == "supporter" || s == "listener")
        return Role::Agent;
    if (s == "usr" || s == "seeker" || s == "speaker")
        return Role::User;
    fail(f, line(),
         "unknown speaker '" + s + "' (expected usr/sys, seeker/supporter or speaker/listener)");
}

// An intensity value: "3" or 3 -> 3; missing, null or "" -> none; anything else is an error.
std::optional<double> intensity(const FileContext& f, const json& seeker, const char* key,
                                const LineOf& lineOf)
{
    if (!seeker.is_object() || !seeker.contains(key))
        return std::nullopt;
    const json& v = seeker.at(key);
    if (v.is_null() || (v.is_string() && text::trim(v.get<std::string>()).empty()))
        return std::nullopt;
    std::optional<double> x;
    if (v.is_number())
        x = v.get<double>();
    else if (v.is_string())
        x = text::parseNumber(v.get<std::string>());
    if (!x)
        fail(f, lineOf({"survey_score", "seeker", key}),
             std::string(key) + " " + v.dump() + " is not a number");
    return x;
}

Dialogue toDialogue(const FileContext& f, const json& obj, const LineOf& lineOf)
{
    if (!obj.is_object())
        fail(f, lineOf({}), "expected a JSON object (one ESConv dialogue), found " + std::string(obj.type_name()));
    const auto dialog = obj.find("dialog");
    if (dialog == obj.end() || !dialog->is_array())
        fail(f, lineOf({}), "missing \"dialog\" list");
    if (dialog->empty())
        fail(f, lineOf({"dialog"}), "\"dialog\" has no utterances");

    Dialogue d;
    d.task = Task::counseling().name;
    d.source = source::kEsconv;
    d.split = f.split;
    std::vector<std::string> texts;
    for (size_t i = 0; i < dialog->size(); ++i) {
        const json& u = (*dialog)[i];
        if (!u.is_object())
            fail(f, lineOf({"dialog", i}), "utterance " + std::to_string(i + 1) + " is not an object");
        const auto speaker = u.find("speaker");
        if (speaker == u.end())
            fail(f, lineOf({"dialog", i}), "utterance " + std::to_string(i + 1) + " has no speaker");
        Turn t;
        t.index = static_cast<int>(i);
        t.role = roleOf(f, *speaker, [&] { return lineOf({"dialog", i, "speaker"}); });
        // HF files call the utterance "text", the original files "content".
        auto textIt = u.find("text");
        if (textIt == u.end())
            textIt = u.find("content");
        if (textIt == u.end() || !textIt->is_string())
            fail(f, lineOf({"dialog", i}),
                 "utterance " + std::to_string(i + 1) + " has no \"text\" or \"content\" string");
        const std::string raw = textIt->get<std::string>();
        texts.push_back(raw);
        t.text = text::trim(raw);
        if (const auto a = u.find("annotation"); a != u.end() && a->is_object())
            t.annotations = *a;
        if (const auto s = u.find("strategy"); s != u.end() && !s->is_null())
            t.annotations["strategy"] = *s;
        d.turns.push_back(std::move(t));
    }
    d.uid = dialogueContentHash(texts);

    // Everything but the utterances goes to metadata (types, situation, survey, feedback answers).
    d.metadata = json::object();
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (it.key() != "dialog")
            d.metadata[it.key()] = it.value();
    const json seeker = obj.contains("survey_score") && obj["survey_score"].is_object()
                            ? obj["survey_score"].value("seeker", json::object())
                            : json::object();
    const auto initial = intensity(f, seeker, "initial_emotion_intensity", lineOf);
    const auto final = intensity(f, seeker, "final_emotion_intensity", lineOf);
    d.metadata["initial_emotion_intensity"] = initial ? json(*initial) : json(nullptr);
    d.metadata["final_emotion_intensity"] = final ? json(*final) : json(nullptr);
    d.metadata["split"] = f.split;
    d.metadata["esconv_layout"] = f.layout;
    d.metadata["file"] = text::baseName(f.path);
    if (initial && final) {
        d.reward = *initial - *final;
        d.rewardSource = "dataset";
        const Task task = Task::counseling();
        if (*d.reward < task.rewardMin || *d.reward > task.rewardMax)
            d.flags |= kFlagRewardOutOfRange;
    }
    if (f.failed)
        d.flags |= kFlagFailed;
    return d;
}

} // namespace

std::vector<Dialogue> readEsconvFile(const std::string& path, std::vector<int>* lines)
{
    FileContext f;
    f.path = path;
    const std::string lowerName = text::toLower(text::baseName(path));
    f.failed = lowerName.find("failed") != std::string::npos;
    f.split = f.failed ? std::string() : splitFromName(path);

    std::vector<Dialogue> out;
    const std::string content = text::readFile(path);
    size_t first = content.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    first = content.find_first_not_of(" \t\r\n", first);
    if (first == std::string::npos)
        throw Error(path + ": empty file, no ESConv dialogues");

    if (content[first] == '[') {
        // Original layout: one JSON array of dialogues.
        f.layout = "raw";
        const json doc = parseJsonFromFile(content, path, 0);
        const std::vector<size_t> starts = lines ? topLevelElementOffsets(content) : std::vector<size_t>();
        for (size_t i = 0, lineNo = 1, counted = 0; i < doc.size(); ++i) {
            if (lines) {
                const size_t at = i < starts.size() ? starts[i] : counted;
                lineNo += static_cast<size_t>(std::count(content.begin() + static_cast<std::ptrdiff_t>(counted),
                                                         content.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
                counted = at;
                lines->push_back(static_cast<int>(lineNo));
            }
            const LineOf lineOf = [&content, i](const std::vector<JsonPathStep>& sub) {
                std::vector<JsonPathStep> full{i};
                full.insert(full.end(), sub.begin(), sub.end());
                return text::lineAt(content, locateJsonValueOrParent(content, full));
            };
            out.push_back(toDialogue(f, doc[i], lineOf));
        }
        return out;
    }
    if (content[first] != '{')
        throw Error(path + ":" + std::to_string(text::lineAt(content, first))
                    + ": not an ESConv file (expected a JSON array or one JSON object per line)");

    // Hugging Face layout: JSON Lines, even though the files are named .json.
    f.layout = "hf";
    JsonLinesReader reader(path);
    JsonLine line;
    while (reader.next(line)) {
        const int n = line.line;
        out.push_back(toDialogue(f, line.value, [n](const std::vector<JsonPathStep>&) { return n; }));
        if (lines)
            lines->push_back(n);
    }
    return out;
}

std::vector<std::string> esconvFilesIn(const std::string& dir)
{
    namespace fs = std::filesystem;
    // Train/valid/test first, failed dialogues last: the order of ids in the project follows it.
    const std::vector<std::string> known = {"train.json", "valid.json", "test.json", "ESConv.json",
                                            "FailedESConv.json"};
    std::vector<std::string> files;
    for (const auto& name : known) {
        const fs::path p = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            files.push_back(p.string());
    }
    if (files.empty())
        throw Error(dir + ": no ESConv files in this folder (expected train.json, valid.json, "
                          "test.json, ESConv.json or FailedESConv.json)");
    return files;
}

} // namespace hw
