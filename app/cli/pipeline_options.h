#pragma once
// Options shared by the pipeline verbs (relabel, regenerate, label, aggregate, imagine,
// pipeline): endpoint selection, concurrency, seed, limit, task, progress and the JSON summary.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"

#include "core/llm/endpoint_profile.h"
#include "core/pipeline/job_runner.h"

#include <optional>
#include <set>
#include <string>

namespace hw {
class Database;
}

namespace hw::cli {

// Help text for the shared options, appended to each verb's usage.
extern const char* kEndpointOptionsHelp;
extern const char* kJobOptionsHelp;

std::set<std::string> endpointValueOptions();   // endpoint, model, api-key-env, temperature, ...
std::set<std::string> jobValueOptions();        // task, seed, limit, concurrency
std::set<std::string> jobFlags();               // json, quiet

// The endpoint from --endpoint/--model and the overrides. `prefix` selects a second endpoint
// ("hard-" for --hard-endpoint/--hard-model); nullopt when its --<prefix>endpoint is absent
// and `required` is false. Throws hw::Error.
std::optional<EndpointProfile> endpointFromArgs(const Args& args, bool required, const std::string& prefix = "");

// --task, or the project's only task that has dialogues. Throws hw::Error.
std::string taskFromArgs(const Args& args, Database& db);

struct JobOptions {
    std::string task;
    uint64_t seed = 0;
    int64_t limit = 0;
    int concurrency = 0;        // 0 = the endpoint profile's maxInFlight
    bool json = false;
    bool quiet = false;
};
JobOptions jobOptionsFromArgs(const Args& args, Database& db);

// Job hooks that show progress on stderr (done/total, tokens, cost, ETA) and stop on Ctrl+C.
JobHooks hooksFor(CliProgress& progress);

// Prints the summary (JSON on stdout with --json, else one line) and returns the exit code:
// 0 done (failed items are counted, not fatal), 130 cancelled, 1 failed.
int reportSummary(const JobSummary& summary, bool json);
int exitCodeFor(const std::string& status);

// One-line text form of a summary.
std::string summaryLine(const JobSummary& summary);
// What an aggregate made, from its summary: "training set 'NAME' (id N): A originals + B
// regenerations = C (target T[, S short: 3.00x of 5x])".
std::string trainingSetLine(const JobSummary& aggregate);
// An aggregate short of its target: its warning on stderr ("hindsight VERB: warning: ...", also
// with --quiet and --json, which carries it as "warning"). Nothing when the target was met.
void warnIfShort(const JobSummary& aggregate, const std::string& verb);

} // namespace hw::cli
