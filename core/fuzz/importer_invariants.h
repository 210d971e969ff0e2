#pragma once
// What must hold for ANY file given to the dataset importers (JSONL, ESConv, P4G): no crash, no
// hang, and either a clear hw::Error that names the file, or dialogues that are well-formed
// (a uid, turns numbered in order, a finite reward, metadata that can be written back as JSON).
// Any other exception (a JSON type error, std::out_of_range from a number conversion...) reaches
// the user as a bare library message: a violation. Used by the libFuzzer targets in this folder.
//
// The importers read files, so each input is written to a file in a private folder first.
#include "core/data/dialogue.h"
#include "core/fuzz/parser_invariants.h"
#include "core/util/error.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

namespace hw::fuzz {

// A folder for this process's input files (libFuzzer may run several processes at once).
inline const std::string& scratchDir()
{
    static const std::string dir = [] {
        const char* base = std::getenv("TMPDIR");
        std::string templ = std::string(base && *base ? base : "/tmp") + "/hw-fuzz-XXXXXX";
        if (!mkdtemp(templ.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        return templ;
    }();
    return dir;
}

// Writes `bytes` to `name` in the scratch folder; returns its path.
inline std::string writeInput(const std::string& name, const std::string& bytes)
{
    const std::string path = scratchDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::perror(path.c_str());
        std::abort();
    }
    return path;
}

inline std::string baseNameOf(const std::string& path)
{
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

inline void checkDialogues(const std::vector<Dialogue>& dialogues, const std::string& what)
{
    for (const auto& d : dialogues) {
        check(!d.uid.empty(), what + ": dialogue without a uid");
        check(!d.task.empty(), what + ": dialogue without a task");
        for (size_t i = 0; i < d.turns.size(); ++i)
            check(d.turns[i].index == static_cast<int>(i), what + ": turn index out of order");
        if (d.reward)
            check(std::isfinite(*d.reward), what + ": reward is not finite");
        check(d.metadata.is_object(), what + ": metadata is not an object");
        // What the store does with it next: it must not throw there (e.g. invalid UTF-8).
        try {
            (void)d.metadata.dump();
            for (const auto& t : d.turns)
                (void)t.annotations.dump();
        } catch (const std::exception& e) {
            check(false, what + ": metadata cannot be written back: " + e.what());
        }
    }
}

// Runs `read` on the file(s) at `paths`; the first path is the one an error must name (or any).
inline void checkImport(const std::vector<std::string>& paths, const std::string& what,
                        const std::function<std::vector<Dialogue>()>& read)
{
    std::vector<Dialogue> dialogues;
    try {
        dialogues = read();
    } catch (const Cancelled&) {
        check(false, what + ": Cancelled without a stop token");
        return;
    } catch (const Error& e) {
        const std::string message = e.what();
        bool named = false;
        for (const auto& p : paths)
            named = named || message.find(baseNameOf(p)) != std::string::npos;
        check(named, what + ": error does not name the file: " + message);
        return;
    } catch (const std::exception& e) {
        check(false, what + ": not an hw::Error: " + e.what());
        return;
    }
    checkDialogues(dialogues, what);
}

} // namespace hw::fuzz
