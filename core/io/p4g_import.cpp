#include "core/io/p4g_import.h"

#include "core/data/task.h"
#include "core/io/csv_reader.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unordered_map>

namespace hw {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& file, int line, const std::string& reason)
{
    throw Error(file + ":" + std::to_string(line) + ": " + reason);
}

// "0" -> persuader, "1" -> persuadee ("0.0"/"1.0" too, as some exports write floats).
int roleCode(const std::string& file, int line, const std::string& v)
{
    const auto x = text::parseNumber(v);
    if (x && (*x == 0.0 || *x == 1.0))
        return static_cast<int>(*x);
    fail(file, line, "unknown role B4 '" + v + "' (expected 0 = persuader or 1 = persuadee)");
}

// Numbers stay numbers in metadata, blanks become null, the rest stays text.
json cellValue(const std::string& v)
{
    const std::string t = text::trim(v);
    if (t.empty())
        return nullptr;
    if (const auto x = text::parseNumber(t))
        return *x;
    return t;
}

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos.
size_t invalidUtf8At(const std::string& s)
{
    static const uint32_t kMinOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size())
            return i;
        uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < kMinOfLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return std::string::npos;
}

// Text goes into the project as JSON, which must be UTF-8: a file in another encoding (Latin-1
// exports of the dataset exist) is refused where the bad byte is, not when it is written.
void requireUtf8(const std::string& file, const CsvRecord& rec, const CsvHeader& header)
{
    for (size_t c = 0; c < rec.fields.size(); ++c) {
        const size_t at = invalidUtf8At(rec.fields[c]);
        if (at == std::string::npos)
            continue;
        const std::string name = c < header.names().size() ? header.names()[c] : std::string();
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(rec.fields[c][at])));
        fail(file, rec.line,
             "field " + std::to_string(c + 1) + (name.empty() ? "" : " (" + name + ")")
                 + " is not valid UTF-8 (byte " + byte + " at offset " + std::to_string(at)
                 + "); save the file as UTF-8");
    }
}

std::string headerKind(const std::string& path)
{
    CsvReader reader = CsvReader::fromFile(path);
    CsvRecord header;
    if (!reader.next(header))
        return "";
    CsvHeader h(header, path);
    if (h.find("Unit") >= 0)
        return "dialog";
    if (h.find("B6") >= 0)
        return "info";
    return "";
}

struct InfoRow {
    int line = 0;
    json columns = json::object();
    std::string b6;
};

} // namespace

P4gFiles resolveP4gFiles(const std::vector<std::string>& paths)
{
    namespace fs = std::filesystem;
    P4gFiles files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            const auto d = fs::path(p) / "full_dialog.csv";
            const auto i = fs::path(p) / "full_info.csv";
            if (!fs::is_regular_file(d, ec))
                throw Error(p + ": no full_dialog.csv in this folder");
            if (!fs::is_regular_file(i, ec))
                throw Error(p + ": no full_info.csv in this folder");
            files.dialog = d.string();
            files.info = i.string();
            continue;
        }
        if (!fs::exists(p, ec))
            throw Error(p + ": no such file or folder");
        // Tell the two files apart by name first, by their header otherwise.
        const std::string name = text::toLower(text::baseName(p));
        std::string kind = name.find("dialog") != std::string::npos ? "dialog"
                           : name.find("info") != std::string::npos ? "info"
                                                                     : headerKind(p);
        if (kind == "dialog")
            files.dialog = p;
        else if (kind == "info")
            files.info = p;
        else
            throw Error(p + ": not a PersuasionForGood file (expected full_dialog.csv with a Unit "
                            "column or full_info.csv with a B6 column)");
    }
    if (files.dialog.empty())
        throw Error("PersuasionForGood import needs full_dialog.csv (give the folder or both files)");
    if (files.info.empty())
        throw Error("PersuasionForGood import needs full_info.csv (give the folder or both files)");
    return files;
}

std::vector<Dialogue> readP4g(const P4gFiles& files, std::vector<int>* lines)
{
    // ---- full_info.csv: one row per (dialogue, role)
    std::unordered_map<std::string, InfoRow> persuader, persuadee;
    {
        CsvReader reader = CsvReader::fromFile(files.info);
        CsvRecord rec;
        if (!reader.next(rec))
            throw Error(files.info + ":1: empty file, expected a header row");
        const CsvHeader header(rec, files.info);
        requireUtf8(files.info, rec, header); // column names become metadata keys
        const int cB2 = header.require("B2");
        const int cB4 = header.require("B4");
        const int cB6 = header.require("B6");
        while (reader.next(rec)) {
            header.checkWidth(rec);
            requireUtf8(files.info, rec, header);
            InfoRow row;
            row.line = rec.line;
            row.b6 = rec.fields[static_cast<size_t>(cB6)];
            for (size_t c = 0; c < rec.fields.size(); ++c)
                if (static_cast<int>(c) != cB2 && static_cast<int>(c) != cB4)
                    row.columns[header.names()[c]] = cellValue(rec.fields[c]);
            const std::string& id = rec.fields[static_cast<size_t>(cB2)];
            auto& table = roleCode(files.info, rec.line, rec.fields[static_cast<size_t>(cB4)]) == 1
                              ? persuadee
                              : persuader;
            if (table.count(id))
                fail(files.info, rec.line,
                     "second row for dialogue '" + id + "' and role "
                         + rec.fields[static_cast<size_t>(cB4)] + " (first on line "
                         + std::to_string(table[id].line) + ")");
            table.emplace(id, std::move(row));
        }
    }

    // ---- full_dialog.csv: one row per utterance
    std::vector<Dialogue> dialogues;
    std::unordered_map<std::string, size_t> indexOf;
    {
        CsvReader reader = CsvReader::fromFile(files.dialog);
        CsvRecord rec;
        if (!reader.next(rec))
            throw Error(files.dialog + ":1: empty file, expected a header row");
        const CsvHeader header(rec, files.dialog);
        requireUtf8(files.dialog, rec, header); // column names become metadata keys
        const int cUnit = header.require("Unit");
        const int cTurn = header.require("Turn");
        const int cB4 = header.require("B4");
        const int cB2 = header.require("B2");
        while (reader.next(rec)) {
            header.checkWidth(rec);
            requireUtf8(files.dialog, rec, header);
            const std::string& id = rec.fields[static_cast<size_t>(cB2)];
            if (id.empty())
                fail(files.dialog, rec.line, "empty dialogue id B2");
            const auto turnNo = text::parseNumber(rec.fields[static_cast<size_t>(cTurn)]);
            // Range first: casting a double beyond int64 is undefined (found by fuzz_p4g_import).
            if (!turnNo || !(*turnNo >= 0 && *turnNo <= 1e9) || *turnNo != static_cast<double>(static_cast<int64_t>(*turnNo)))
                fail(files.dialog, rec.line,
                     "Turn '" + rec.fields[static_cast<size_t>(cTurn)] + "' is not a turn number");
            const int role = roleCode(files.dialog, rec.line, rec.fields[static_cast<size_t>(cB4)]);
            auto [it, isNew] = indexOf.emplace(id, dialogues.size());
            if (isNew) {
                Dialogue d;
                d.uid = id;
                d.task = Task::persuasion().name;
                d.source = source::kP4g;
                dialogues.push_back(std::move(d));
                if (lines)
                    lines->push_back(rec.line);
            }
            Dialogue& d = dialogues[it->second];
            Turn t;
            t.index = static_cast<int>(d.turns.size());
            t.role = role == 0 ? Role::Agent : Role::User;
            t.text = text::trim(rec.fields[static_cast<size_t>(cUnit)]);
            // Line breaks inside a quoted utterance follow the file's CRLF convention.
            for (size_t p = t.text.find("\r\n"); p != std::string::npos; p = t.text.find("\r\n", p))
                t.text.erase(p, 1);
            t.annotations = {{"turn", static_cast<int64_t>(*turnNo)}};
            d.turns.push_back(std::move(t));
        }
    }

    // ---- join
    const Task task = Task::persuasion();
    for (Dialogue& d : dialogues) {
        d.metadata = json::object();
        if (const auto it = persuader.find(d.uid); it != persuader.end())
            d.metadata["persuader"] = it->second.columns;
        const auto it = persuadee.find(d.uid);
        if (it == persuadee.end())
            continue;
        d.metadata["persuadee"] = it->second.columns;
        if (text::trim(it->second.b6).empty())
            continue; // no donation recorded: unlabeled
        const auto raw = text::parseNumber(it->second.b6);
        if (!raw)
            fail(files.info, it->second.line, "donation B6 '" + it->second.b6 + "' is not a number");
        d.metadata["donation_raw"] = *raw;
        d.reward = std::clamp(*raw, task.rewardMin, task.rewardMax);
        d.rewardSource = "dataset";
        if (*raw < task.rewardMin || *raw > task.rewardMax)
            d.flags |= kFlagRewardOutOfRange;
    }
    return dialogues;
}

} // namespace hw
