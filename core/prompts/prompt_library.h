#pragma once
// Prompt templates as plain files, loaded at run time:
//
//   prompts/<task>/<name>.txt        e.g. prompts/persuasion/controller.txt
//
// A user override folder wins over the built-in one: a file
// <userConfigDir()>/prompts/persuasion/controller.txt replaces the shipped one without touching
// the install. Format (see prompts/README.md):
//
//   %% a comment line (ignored)
//   @@ system
//   You are ... {{task_description}} ...
//   @@ user
//   Here is the dialogue:
//   {{dialogue}}
//
// "@@ system|user|assistant" lines start chat messages (no marker: one user message). {{name}}
// placeholders are replaced by values given at render time; values are inserted verbatim (text
// inside a value that looks like {{x}} stays as it is). A placeholder without a value is an error.
// Loading is thread-safe; files are cached and read again when they change on disk.
#include "core/data/task.h"
#include "core/llm/chat_types.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hw {

struct PromptTemplate {
    std::string folder;      // the prompts/ sub-folder it came from ("persuasion")
    std::string name;        // "controller"
    std::string path;        // file actually read
    std::string text;        // file content
    std::string sha256;      // of text: goes into provenance
    bool userOverride = false;

    std::string id() const { return folder + "/" + name + ".txt"; }
    // Placeholder names used, in order of first use.
    std::vector<std::string> placeholders() const;
    // Throws hw::Error "<path>: no value for {{name}}".
    std::vector<ChatMessage> render(const std::map<std::string, std::string>& values) const;
};

class PromptLibrary {
public:
    // Default search path: userDir(), then builtinDir().
    PromptLibrary();
    explicit PromptLibrary(std::vector<std::string> searchDirs);

    // $HW_PROMPTS_DIR; else the source tree's prompts/ when present; else
    // <exe dir>/../share/hindsight-workbench/prompts.
    static std::string builtinDir();
    static std::string userDir();   // userConfigDir() + "/prompts"

    // Looks for <dir>/<task.name>/<name>.txt, then <dir>/<kind>/<name>.txt (a custom task of kind
    // persuasion reuses the persuasion prompts), in each search dir in order. Throws hw::Error
    // listing the paths tried.
    PromptTemplate load(const Task& task, const std::string& name) const;
    PromptTemplate load(const std::string& folder, const std::string& name) const;
    // Any other file of a task folder (e.g. "personas.json"), same search order; nullopt if none.
    std::optional<std::pair<std::string, std::string>> readFile(const Task& task, const std::string& file) const;

    const std::vector<std::string>& searchDirs() const { return m_dirs; }

private:
    struct Cache;
    std::optional<PromptTemplate> tryLoad(const std::string& dir, const std::string& folder, const std::string& name) const;

    std::vector<std::string> m_dirs;
    std::shared_ptr<Cache> m_cache; // files already read, re-read when their size or mtime changes
};

} // namespace hw
