#include "core/train/run_launcher.h"

#include "core/train/lm_training_job.h"
#include "core/util/error.h"

#include <fstream>

namespace hw {
namespace {

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

} // namespace

std::vector<std::string> launchableKinds()
{
    return {"lm-policy-sft", "lm-forward", "lm-forward-hard", "lm-reward"};
}

RunLaunchResult launchRun(const RunLaunchRequest& request, const ProgressFn& progress, const StopToken& stop,
                          const std::function<void(const std::string&)>& log)
{
    if (!startsWith(request.kind, "lm-"))
        throw Error("training '" + request.kind + "' agents is not available from the workbench in this build; "
                    "use `hindsight train` (the runs page shows its progress live)");
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
