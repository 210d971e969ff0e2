// hindsight evaluate: agents against a simulated user, paired episodes, honest statistics.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"

#include "core/eval/eval_report.h"
#include "core/eval/eval_spec.h"
#include "core/eval/evaluation_request.h"
#include "core/store/job_store.h"
#include "core/store/database.h"
#include "core/store/eval_store.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight evaluate PROJECT.hwb --agent SPEC [--agent SPEC ...] --simulator SPEC [options]

Plays every agent against a simulated user, persona by persona, and prints Reward (sim) per agent
(mean ± std, bootstrap 95% interval, per persona) with paired differences against the baseline
(sign-flip test, Holm-corrected). Episodes are paired: episode i of every agent has the same
persona and seed. The run is a resumable job: run the same command again to continue it (a
finished run sends nothing); transcripts are stored as dialogues with source "simulated", which
never enter relabelling, training sets or few-shot pools.

Agent SPEC:
  ckpt:DIR[,beta=B]                   a checkpoint: pi_beta, or ILQL decoding with beta B
  endpoint:PROFILE_OR_URL,model=M,prompt=plain|cot|procot|gdp-zero
                                      an endpoint with a prompting baseline, or GDP-Zero (MCTS
                                      over prompts/<task>/gdp_zero_strategies.json, 10 simulations)
  (any agent spec may end with ,name=NAME for the report)
Simulator SPEC:
  endpoint:PROFILE_OR_URL[,model=M]   an LLM plays the persona (prompts/<task>/simulator*.txt)
  local:FORWARD_CKPT,reward=REWARD_CKPT  offline: forward model for turns, reward model for the outcome

  --task NAME                 the task (default: the project's only task with dialogues)
  --personas a,b,c            personas from prompts/<task>/personas.json (default: those marked
                              "default": the paper's four for persuasion); "esconv:N" draws N
                              counseling personas from the project's imported ESConv dialogues
                              (the counseling default when there are any)
  --episodes-per-persona N    episodes per persona and agent (default 100: the paper's 400)
  --max-turns T               agent turns per episode (default 10 persuasion, 15 counseling)
  --seed S                    episode seeds (default 0)
  --concurrency K             episodes in flight (default: the simulator endpoint's limit;
                              local checkpoints: 16, decoded together in one batch per step)
  --fidelity N                first measure the simulator against N held-in real dialogues (the
                              simulator replaces the real user after the real agent turns; its
                              decision vs the real outcome: Spearman rho and MAE); shown in the report
  --baseline AGENT            agent name or spec the others are compared with (default: the first)
  --endpoints FILE            endpoint profiles (default: the user's endpoints.json)
  --device DEV                device of local checkpoints
  --json                      print the results as JSON (keys: run, simulator, agents[], comparisons[],
                              requests, cache_hits)
  --quiet                     no progress on stderr
)");

int runEvaluateCmd(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"agent", "simulator", "task", "personas", "episodes-per-persona", "max-turns", "seed",
                     "concurrency", "baseline", "endpoints", "device", "fidelity"},
                    {"json", "quiet"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    EvaluationRequest req;
    req.agents = args.values("agent");
    // Specs are checked before the project is opened: a typo costs nothing.
    for (const auto& a : req.agents)
        parseAgentSpec(a);
    if (req.agents.empty())
        throw Error("evaluate: name at least one --agent (" + std::string(kAgentSpecHelp) + ")");
    const auto simulator = args.value("simulator");
    if (!simulator)
        throw Error("evaluate: --simulator is required (" + std::string(kSimulatorSpecHelp) + ")");
    req.simulator = *simulator;
    parseSimulatorSpec(req.simulator);
    req.personas = args.value("personas", "");
    req.episodesPerPersona = static_cast<int>(args.intValue("episodes-per-persona", 100));
    req.maxTurns = static_cast<int>(args.intValue("max-turns", 0));
    req.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    req.concurrency = static_cast<int>(args.intValue("concurrency", 0));
    req.fidelity = static_cast<int>(args.intValue("fidelity", 0));
    req.endpointsFile = args.value("endpoints", "");
    req.device = args.value("device", "");
    if (req.concurrency < 0 || req.maxTurns < 0 || req.fidelity < 0)
        throw Error("evaluate: --concurrency, --max-turns and --fidelity cannot be negative");

    Database db = Database::open(path);
    req.task = taskFromArgs(args, db);
    SharedProject project(db);
    CliProgress progress(!args.flag("quiet"));
    const EvaluationOutcome outcome = runEvaluationRequest(project, req, hooksFor(progress));
    progress.finish();
    const JobSummary& s = outcome.summary;
    if (!s.error.empty())
        std::cerr << "hindsight evaluate: error: " << s.error << "\n";
    if (s.kind != "evaluate" || (s.jobId == 0 && s.status != "done"))
        return exitCodeFor(s.status);

    EvalReportOptions ro;
    ro.baseline = args.value("baseline", "");
    ro.stats.seed = req.seed;
    EvalReport report = project.with([&](Database& d) {
        const auto job = JobStore(d).get(s.jobId);
        if (!job)
            throw Error("evaluation job " + std::to_string(s.jobId) + " vanished from " + path);
        EvalReport r = buildEvalReport(s.jobId, job->config, EvalStore(d).episodes(s.jobId), ro);
        if (const auto f = latestFidelity(d, r.simulator))
            r.fidelity = f->toJson();
        return r;
    });
    report.requests = s.usage.requests + (outcome.fidelitySummary ? outcome.fidelitySummary->usage.requests : 0);
    report.cacheHits = s.usage.cacheHits + (outcome.fidelitySummary ? outcome.fidelitySummary->usage.cacheHits : 0);
    if (args.flag("json")) {
        nlohmann::json j = toJson(report);
        j["job"] = s.toJson();
        std::cout << j.dump() << std::endl;
    } else
        std::cout << formatEvalReport(report, "md") << summaryLine(s) << std::endl;
    return exitCodeFor(s.status);
}

const bool registered = registerCommand({"evaluate", "agents against simulated users, with intervals and paired tests",
                                         kUsage, &runEvaluateCmd});

} // namespace
} // namespace hw::cli
