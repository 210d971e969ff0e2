#pragma once
// The pipeline's stage kinds, registered once in core and read by every front end: the CLI verbs,
// the workbench's start-job dialog and its resume, all go through runStage(description).
//
// Adding a stage kind (see README "Adding a stage"):
//   1. core/pipeline/stage_<name>.cpp defines `StageKind <name>StageKind()` (its name, title,
//      roles, options with defaults, validate and run), usually around a job function
//      (JobRunner, core/pipeline/job_runner.h) in its own file;
//   2. one line `HW_STAGE(<name>)` in core/pipeline/stage_list.h;
//   3. its prompt files under prompts/<task>/.
// The front ends then list it, validate its descriptions, build its backends and run and resume
// its jobs without further changes.
#include "core/pipeline/job_runner.h"
#include "core/pipeline/stage_description.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class StageBackendSet;

// What a stage's run function gets.
struct StageRun {
    SharedProject& project;
    const StageDescription& description;  // normalised and validated
    StageBackendSet& backends;            // built from description.backends, on first use
    const JobHooks& hooks;
};

// One option a front end asks for (the workbench's start-job dialog shows a field per entry). Its
// type is that of its default in StageKind::options; options without a field are not asked for.
struct StageOptionField {
    std::string key;                 // in StageKind::options
    std::string label;               // "Training set name"
    std::string help;                // tooltip: what it changes
    double min = 0.0, max = 0.0;     // numbers: range (max <= min: none beyond the type)
    std::vector<std::pair<std::string, std::string>> choices; // strings: (value, label); empty = free text
    std::string placeholder;         // strings: shown while empty; numbers: shown at the minimum ("task's default")
};

struct StageKind {
    std::string name;       // the job kind and CLI verb: "relabel"
    std::string title;      // for menus: "Relabel: hindsight suggestions"
    std::string role;       // its place in the method, one sentence
    // Every role the stage can use, with the backend kinds each accepts (llm | retrieval |
    // checkpoint), e.g. {"controller": ["llm", "retrieval"]}.
    std::map<std::string, std::vector<std::string>> roles;
    // The roles a description must fill (may depend on it: forward_hard when hardShare > 0).
    // Empty = every role in `roles`.
    std::function<std::vector<std::string>(const StageDescription&)> needs;
    // The stage's own options and their defaults: the type of StageDescription::options. An
    // option the stage does not know, or of another JSON type, is refused.
    nlohmann::json options = nlohmann::json::object();
    // The options a researcher sets by hand, in the order to show them.
    std::vector<StageOptionField> fields;
    // Range checks beyond the types (throws hw::Error naming the field). May be empty.
    std::function<void(const StageDescription&)> validate;
    // A job config written before descriptions existed (the stage's old config JSON) as a
    // description. Empty when the stage has no older format.
    std::function<StageDescription(const nlohmann::json& legacy)> fromLegacy;
    // Runs (or resumes: same identity) the job. Its JobSummary::extra carries stage results.
    std::function<JobSummary(StageRun&)> run;
    bool usesItems = true;  // false: one-shot (aggregate), no concurrency, no resume
    // The job stores a config of its own (evaluate: what its reports read), not the description:
    // describeJob reads it with fromLegacy and upgradeJobDescriptions leaves it as it is.
    bool keepsJobConfig = false;
    // Whether StageDescription::limit (most items) means something to it.
    bool usesLimit = true;
};

// Every registered kind, in pipeline order (stage_list.h).
const std::vector<StageKind>& stageKinds();
// nullptr when unknown.
const StageKind* findStageKind(const std::string& name);
// Throws hw::Error listing the known kinds.
const StageKind& stageKind(const std::string& name);

// The backend roles `description` needs (its kind's `needs`, else every role it declares).
std::vector<std::string> stageNeeds(const StageDescription& description);

// Fills option defaults, drops backends of roles the stage does not need, checks types, roles
// and ranges. Throws hw::Error naming the field ("stage regenerate: options.samples must be ...").
StageDescription normalizeStage(StageDescription description);

// Normalises, builds the backends and runs the stage. JobSummary::extra["description"] is the
// description run (what `--json` prints). `profiles`: saved endpoint profiles for LLM backends
// recorded with a profile name (default: the user's endpoints.json). Throws hw::Error before the
// job starts.
JobSummary runStage(SharedProject& project, const StageDescription& description, const JobHooks& hooks,
                    const std::optional<EndpointProfiles>& profiles = std::nullopt);

// Several stages in a row (the offline pipeline: relabel, regenerate, label, aggregate); stops at
// the first that is not done. Each is its own resumable job.
std::vector<JobSummary> runStages(SharedProject& project, const std::vector<StageDescription>& stages,
                                  const JobHooks& hooks,
                                  const std::optional<EndpointProfiles>& profiles = std::nullopt);

// The description of a stored job: its config when it is one, else the older format converted.
// Throws hw::Error when the kind is unknown or the config says too little.
StageDescription describeJob(const std::string& kind, const nlohmann::json& config);

// Rewrites the configs of jobs recorded before descriptions existed as descriptions (the old
// config kept under "migrated_from"), with their new identity hash, so that running the same
// command again still continues them. Idempotent; returns the number of jobs rewritten.
int upgradeJobDescriptions(Database& db);

} // namespace hw
