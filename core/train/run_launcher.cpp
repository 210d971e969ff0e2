#include "core/train/run_launcher.h"

#include "core/pipeline/paper_preset.h"
#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/train/checkpoint.h"
#include "core/train/ilql_trainer_job.h"
#include "core/train/lm_training_job.h"
#include "core/train/training_set.h"
#include "core/util/error.h"

#include <algorithm>
#include <fstream>
#include <optional>

namespace hw {
namespace {

// An override object changes only the keys it names ({"decode": {"adv_weight": 2}} keeps the
// other decoding settings); any other value replaces.
void mergeInto(nlohmann::json& into, const nlohmann::json& value)
{
    if (into.is_object() && value.is_object()) {
        for (const auto& item : value.items())
            mergeInto(into[item.key()], item.value());
        return;
    }
    into = value;
}

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

LmRole roleOfKind(const std::string& kind)
{
    if (kind == "lm-forward")
        return LmRole::Forward;
    if (kind == "lm-forward-hard")
        return LmRole::ForwardHard;
    if (kind == "lm-policy-sft")
        return LmRole::PolicySft;
    if (kind == "lm-reward")
        return LmRole::Reward;
    throw Error("unknown run kind '" + kind + "'");
}

LmTrainConfig configOf(const RunLaunchRequest& r)
{
    nlohmann::json base = (r.tiny ? LmTrainConfig::tiny() : LmTrainConfig{}).toJson();
    if (!r.configPath.empty()) {
        const auto file = LmTrainConfig::load(r.configPath).toJson(); // validates keys and values
        std::ifstream in(r.configPath);
        const auto given = nlohmann::json::parse(in, nullptr, false);
        if (given.is_object())
            for (const auto& item : given.items())
                base[item.key()] = file[item.key()];
    }
    if (r.overrides.is_object())
        for (const auto& item : r.overrides.items())
            base[item.key()] = item.value();
    if (!r.task.empty())
        base["task"] = r.task;
    if (!r.trainingSet.empty())
        base["trainingSet"] = r.trainingSet;
    auto config = LmTrainConfig::fromJson(base, r.configPath.empty() ? "configuration" : r.configPath);
    config.validate();
    return config;
}

bool isAgentKind(const std::string& kind) { return kind == "sft" || kind == "rft" || kind == "ilql"; }

// The paper's agents train on a saved set; with none chosen, the agent's preset (SFT: top 25% of
// originals, RFT: top 25% of originals and regenerations, ILQL: the full method, originals and
// regenerations) is saved under its own name once and reused.
std::string presetSetFor(const RunLaunchRequest& r, const std::function<void(const std::string&)>& log)
{
    const std::string preset = r.kind == "ilql" ? "hindsight-rl" : r.kind;
    const std::string name = r.task.empty() ? preset : preset + "/" + r.task;
    auto db = Database::open(r.projectPath);
    TrainingSetStore sets(db);
    if (sets.find(name))
        return name;
    createTrainingSet(db, name, TrainingSetSpec::fromPreset(preset, r.task));
    if (log)
        log("created training set '" + name + "' from the " + preset + " preset");
    return name;
}

RunLaunchResult launchAgentRun(const RunLaunchRequest& request, const ProgressFn& progress, const StopToken& stop,
                               const std::function<void(const std::string&)>& log)
{
    AgentJobOptions o;
    o.projectPath = request.projectPath;
    o.agent = request.kind;
    if (!request.resumeDir.empty()) {
        // The π_β run of an ILQL job is recorded as kind "sft"; resuming it resumes the ILQL job.
        CheckpointReader reader(resolveCheckpointDir(request.resumeDir));
        if (reader.has(checkpoint::kTrainerState)) {
            const auto job = reader.readTrainerState().extra.value("job", nlohmann::json::object());
            if (job.is_object() && job.contains("agent") && job["agent"].is_string())
                o.agent = job["agent"].get<std::string>();
        }
    }
    o.config = agentConfigOf(request);
    o.resume = request.resumeDir;
    o.trainingSet = request.trainingSet.empty() && request.resumeDir.empty() ? presetSetFor(request, log)
                                                                            : request.trainingSet;
    o.record = true;
    o.progress = progress;
    o.stop = stop;
    o.log = log;
    const AgentJobResult r = runAgentTrainingJob(o);
    RunLaunchResult out;
    out.runId = r.runId;
    out.status = r.train.stopped ? "stopped" : "done";
    out.checkpointDir = r.train.checkpointDir;
    out.summary = r.toJson();
    return out;
}

} // namespace

IlqlTrainConfig agentConfigOf(const RunLaunchRequest& r)
{
    IlqlTrainConfig start = r.tiny ? IlqlTrainConfig::tiny() : IlqlTrainConfig::paper();
    if (!r.preset.empty())
        if (const auto cql = runPreset(r.preset).cqlLossWeight)
            start.ilql.loss_weights.cql_loss_weight = *cql;
    nlohmann::json base = (r.configPath.empty() ? start : IlqlTrainConfig::overlay(start, r.configPath)).toJson();
    std::optional<int64_t> steps;
    if (r.overrides.is_object())
        for (const auto& item : r.overrides.items()) {
            if (item.key() == "maxSteps")
                steps = item.value().get<int64_t>();
            else
                mergeInto(base[item.key()], item.value());
        }
    auto config = IlqlTrainConfig::fromJson(base, r.configPath.empty() ? "configuration" : r.configPath);
    if (steps && *steps > 0) {
        // "Optimizer steps" of the start dialog: the behaviour-cloning steps of an SFT/RFT run,
        // the ILQL steps (iterations x updates) of an ILQL run.
        // ILQL trains whole iterations (evaluation and samples after each), so the request is
        // rounded up: at least the steps asked for, never fewer (100 at 60 updates = 2 x 60).
        if (r.kind == "ilql") {
            config.updatesPerIteration = std::min(config.updatesPerIteration, *steps);
            config.iterations = (*steps + config.updatesPerIteration - 1) / config.updatesPerIteration;
        } else {
            config.bcSteps = *steps;
        }
    }
    config.validate();
    return config;
}


std::optional<int64_t> plannedAgentSteps(const RunLaunchRequest& request)
{
    if (!isAgentKind(request.kind) || !request.resumeDir.empty())
        return std::nullopt;
    const auto config = agentConfigOf(request);
    return request.kind == "ilql" ? config.totalSteps() : config.bcSteps;
}

std::optional<int64_t> plannedIlqlUpdatesPerIteration(const RunLaunchRequest& request)
{
    if (request.kind != "ilql" || !request.resumeDir.empty())
        return std::nullopt;
    return agentConfigOf(request).updatesPerIteration;
}

std::vector<std::string> launchableKinds()
{
    return {"ilql", "sft", "rft", "lm-policy-sft", "lm-forward", "lm-forward-hard", "lm-reward"};
}

RunLaunchResult launchRun(const RunLaunchRequest& request, const ProgressFn& progress, const StopToken& stop,
                          const std::function<void(const std::string&)>& log)
{
    if (isAgentKind(request.kind))
        return launchAgentRun(request, progress, stop, log);
    if (!startsWith(request.kind, "lm-"))
        throw Error("unknown run kind '" + request.kind + "' (known: ilql, sft, rft, lm-policy-sft, lm-forward, "
                    "lm-forward-hard, lm-reward)");
    LmJobOptions o;
    o.projectPath = request.projectPath;
    o.role = roleOfKind(request.kind);
    o.config = configOf(request);
    o.resumeDir = request.resumeDir;
    o.record = true;
    o.progress = progress;
    o.stop = stop;
    o.log = log;
    const LmJobResult r = runLmTrainingJob(o);
    RunLaunchResult out;
    out.runId = r.runId;
    out.status = r.train.stopped ? "stopped" : "done";
    out.checkpointDir = r.train.checkpointDir;
    out.summary = r.toJson();
    return out;
}

} // namespace hw
