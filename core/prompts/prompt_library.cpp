#include "core/prompts/prompt_library.h"
#include "core/util/build_paths.h"

#include "core/llm/sha256.h"
#include "core/llm/user_config.h"
#include "core/util/error.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <unistd.h>

namespace hw {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> readText(const std::string& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool isNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Calls fn(name, begin, end) for each well-formed {{ name }} in text.
template <typename Fn>
void forEachPlaceholder(const std::string& text, Fn fn)
{
    size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string::npos) {
        const size_t close = text.find("}}", pos + 2);
        if (close == std::string::npos)
            return;
        size_t a = pos + 2, b = close;
        while (a < b && text[a] == ' ')
            ++a;
        while (b > a && text[b - 1] == ' ')
            --b;
        bool ok = a < b;
        for (size_t i = a; i < b && ok; ++i)
            ok = isNameChar(text[i]);
        if (ok) {
            fn(text.substr(a, b - a), pos, close + 2);
            pos = close + 2;
        } else {
            pos += 2;
        }
    }
}

std::string exeDir()
{
    std::error_code ec;
    const auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : p.parent_path().string();
}

} // namespace

std::vector<std::string> PromptTemplate::placeholders() const
{
    std::vector<std::string> out;
    forEachPlaceholder(text, [&](const std::string& name, size_t, size_t) {
        for (const auto& n : out)
            if (n == name)
                return;
        out.push_back(name);
    });
    return out;
}

std::vector<ChatMessage> PromptTemplate::render(const std::map<std::string, std::string>& values) const
{
    std::vector<ChatMessage> messages;
    std::string role = "user";
    std::string current;
    bool sawMarker = false;
    auto flush = [&] {
        // Trim blank lines around a message.
        size_t a = current.find_first_not_of("\n\r");
        size_t b = current.find_last_not_of("\n\r \t");
        std::string body = a == std::string::npos ? std::string() : current.substr(a, b - a + 1);
        if (!body.empty() || sawMarker)
            messages.push_back({role, body});
        current.clear();
    };
    std::istringstream in(text);
    std::string line;
    bool any = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("%%", 0) == 0)
            continue;
        if (line.rfind("@@", 0) == 0) {
            std::string r = line.substr(2);
            r.erase(0, r.find_first_not_of(" \t"));
            r.erase(r.find_last_not_of(" \t") + 1);
            if (r != "system" && r != "user" && r != "assistant")
                throw Error(path + ": unknown message marker '" + line + "' (expected @@ system, @@ user or @@ assistant)");
            if (any || !current.empty())
                flush();
            role = r;
            sawMarker = true;
            any = true;
            continue;
        }
        any = true;
        current += line;
        current += '\n';
    }
    flush();
    // Substitute per message so a value can never create a marker line.
    for (auto& m : messages) {
        std::string out;
        size_t last = 0;
        const std::string& src = m.content;
        std::string err;
        forEachPlaceholder(src, [&](const std::string& name, size_t b, size_t e) {
            out.append(src, last, b - last);
            const auto it = values.find(name);
            if (it == values.end()) {
                if (err.empty())
                    err = name;
            } else {
                out += it->second;
            }
            last = e;
        });
        if (!err.empty())
            throw Error(path + ": no value for {{" + err + "}}");
        out.append(src, last, std::string::npos);
        m.content = std::move(out);
    }
    return messages;
}

struct PromptLibrary::Cache {
    struct Entry {
        std::filesystem::file_time_type mtime;
        uintmax_t size = 0;
        PromptTemplate tpl;
    };
    std::mutex mutex;
    std::map<std::string, Entry> entries;
};

PromptLibrary::PromptLibrary() : PromptLibrary(std::vector<std::string>{userDir(), builtinDir()}) {}

PromptLibrary::PromptLibrary(std::vector<std::string> searchDirs)
    : m_dirs(std::move(searchDirs)), m_cache(std::make_shared<Cache>())
{
}

std::optional<PromptTemplate> PromptLibrary::tryLoad(const std::string& dir, const std::string& folder,
                                                     const std::string& name) const
{
    const std::string path = dir + "/" + folder + "/" + name + ".txt";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return std::nullopt;
    const auto mtime = fs::last_write_time(path, ec);
    const auto size = fs::file_size(path, ec);
    {
        std::lock_guard<std::mutex> lock(m_cache->mutex);
        const auto it = m_cache->entries.find(path);
        if (it != m_cache->entries.end() && it->second.mtime == mtime && it->second.size == size)
            return it->second.tpl;
    }
    auto text = readText(path);
    if (!text)
        return std::nullopt;
    PromptTemplate t;
    t.folder = folder;
    t.name = name;
    t.path = path;
    t.text = std::move(*text);
    t.sha256 = sha256Hex(t.text);
    t.userOverride = dir == userDir();
    std::lock_guard<std::mutex> lock(m_cache->mutex);
    m_cache->entries[path] = Cache::Entry{mtime, size, t};
    return t;
}

std::string PromptLibrary::builtinDir()
{
    if (const char* d = std::getenv("HW_PROMPTS_DIR"); d && *d)
        return d;
    std::error_code ec;
    // An installed program uses the prompts installed beside it, even where the checkout it was
    // built from still exists (the package of packaging/make-deb.sh); a build-tree program has
    // none there and reads the checkout's.
    const std::string installed = exeDir() + "/../share/hindsight-workbench/prompts";
    if (fs::is_directory(installed, ec))
        return installed;
    if (*hw::buildSourceDir()) {
        const std::string src = std::string(hw::buildSourceDir()) + "/prompts";
        if (fs::is_directory(src, ec))
            return src;
    }
    return installed;
}

std::string PromptLibrary::userDir() { return userConfigDir() + "/prompts"; }

PromptTemplate PromptLibrary::load(const Task& task, const std::string& name) const
{
    std::vector<std::string> folders{task.name};
    if (toString(task.kind) != task.name)
        folders.push_back(toString(task.kind));
    std::string tried;
    for (const auto& dir : m_dirs) {
        for (const auto& folder : folders) {
            if (auto t = tryLoad(dir, folder, name))
                return *t;
            tried += (tried.empty() ? "" : ", ") + dir + "/" + folder + "/" + name + ".txt";
        }
    }
    throw Error("no prompt template '" + name + "' for task '" + task.name + "' (tried " + tried + ")");
}

PromptTemplate PromptLibrary::load(const std::string& folder, const std::string& name) const
{
    Task t;
    t.name = folder;
    t.kind = TaskKind::Custom;
    if (folder == "counseling")
        t.kind = TaskKind::Counseling;
    else if (folder == "persuasion")
        t.kind = TaskKind::Persuasion;
    return load(t, name);
}

std::optional<std::pair<std::string, std::string>> PromptLibrary::readFile(const Task& task, const std::string& file) const
{
    std::vector<std::string> folders{task.name};
    if (toString(task.kind) != task.name)
        folders.push_back(toString(task.kind));
    for (const auto& dir : m_dirs)
        for (const auto& folder : folders) {
            const std::string path = dir + "/" + folder + "/" + file;
            if (auto text = readText(path))
                return std::make_pair(path, *text);
        }
    return std::nullopt;
}

} // namespace hw
