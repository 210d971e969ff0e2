// hindsight evaluate: agents against a simulated user, paired episodes, honest statistics.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"

#include "core/eval/eval_backends.h"
#include "core/eval/eval_persona.h"
#include "core/eval/eval_report.h"
#include "core/eval/evaluation_job.h"
#include "core/eval/simulator_fidelity.h"
#include "core/pipeline/job_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"

#include <iostream>
#include <sstream>

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
  --concurrency K             episodes in flight (default: the simulator endpoint's limit)
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

std::vector<std::string> splitCommas(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty())
            out.push_back(part);
    return out;
}

int runEvaluateCmd(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"agent", "simulator", "task", "personas", "episodes-per-persona", "max-turns", "seed",
                     "concurrency", "baseline", "endpoints", "device", "fidelity"},
                    {"json", "quiet"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    std::vector<EvalAgentSpec> agentSpecs;
    for (const auto& a : args.values("agent"))
        agentSpecs.push_back(parseAgentSpec(a));
    if (agentSpecs.empty())
        throw Error("evaluate: name at least one --agent (" + std::string(kAgentSpecHelp) + ")");
    const auto simText = args.value("simulator");
    if (!simText)
        throw Error("evaluate: --simulator is required (" + std::string(kSimulatorSpecHelp) + ")");
    const SimulatorSpec simSpec = parseSimulatorSpec(*simText);
    for (size_t i = 0; i < agentSpecs.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (agentSpecs[i].name == agentSpecs[j].name)
                agentSpecs[i].name += " #" + std::to_string(i + 1);

    Database db = Database::open(path);
    const std::string taskName = taskFromArgs(args, db);
    const auto task = DialogueStore(db).task(taskName);
    if (!task)
        throw Error("no task named '" + taskName + "' in " + path);

    // Personas: named ones, ESConv-drawn ones, or the default set.
    const PromptLibrary prompts;
    std::vector<EvalPersona> personas;
    std::string personaSet;
    std::string personaArg = args.value("personas", "");
    if (personaArg.empty() && task->kind == TaskKind::Counseling && !EvalStore(db).esconvMetadata(taskName, 1).empty())
        personaArg = "esconv:4";
    if (personaArg.rfind("esconv", 0) == 0) {
        const size_t colon = personaArg.find(':');
        const int n = colon == std::string::npos ? 4 : std::stoi(personaArg.substr(colon + 1));
        for (const auto& [uid, meta] : EvalStore(db).esconvMetadata(taskName, 100000)) {
            EvalPersona p = personaFromEsconvMetadata(uid, meta);
            if (!p.name.empty())
                personas.push_back(p);
            if (static_cast<int>(personas.size()) >= n)
                break;
        }
        if (personas.empty())
            throw Error("--personas " + personaArg + ": no imported ESConv dialogue of task '" + taskName
                        + "' has problem type, emotion, situation and initial intensity");
        personaSet = "esconv:" + std::to_string(personas.size());
    } else {
        personas = selectPersonas(loadEvalPersonas(prompts, *task), splitCommas(personaArg));
        personaSet = "personas.json:";
        for (size_t i = 0; i < personas.size(); ++i)
            personaSet += (i ? "," : "") + personas[i].name;
    }

    SharedProject project(db);
    EvalBackendOptions bo;
    bo.endpointsFile = args.value("endpoints", "");
    bo.concurrency = static_cast<int>(args.intValue("concurrency", 0));
    bo.device = args.value("device", "");
    bo.personaSet = personaSet;
    bo.localParallel = 1;
    EvalBackends backends(project, *task, agentSpecs, simSpec, bo);

    std::vector<NamedAgent> agents;
    const auto built = backends.agents();
    for (size_t i = 0; i < agentSpecs.size(); ++i)
        agents.push_back({agentSpecs[i].name, agentSpecs[i].text, built[i]});
    EvaluationConfig cfg;
    cfg.task = taskName;
    cfg.episodesPerPersona = static_cast<int>(args.intValue("episodes-per-persona", 100));
    cfg.maxTurns = static_cast<int>(args.intValue("max-turns", 0));
    cfg.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    cfg.concurrency = bo.concurrency > 0 ? bo.concurrency : std::max(1, backends.simulator().maxConcurrency());

    const bool json = args.flag("json");
    std::optional<FidelityResult> fidelity;
    if (const int n = static_cast<int>(args.intValue("fidelity", 0)); n > 0) {
        FidelityConfig fc;
        fc.task = taskName;
        fc.dialogues = n;
        fc.seed = cfg.seed;
        fc.concurrency = cfg.concurrency;
        CliProgress fp(!args.flag("quiet"));
        JobSummary fs;
        fidelity = runFidelity(project, fc, backends.simulator(), hooksFor(fp), &fs);
        fp.finish();
        if (fs.status != "done")
            return exitCodeFor(fs.status);
    }
    CliProgress progress(!args.flag("quiet"));
    const JobSummary s = runEvaluation(project, cfg, personas, agents, backends.simulator(), hooksFor(progress));
    progress.finish();
    if (!s.error.empty())
        std::cerr << "hindsight evaluate: error: " << s.error << "\n";
    if (s.jobId == 0 && s.status != "done")
        return exitCodeFor(s.status);

    EvalReportOptions ro;
    ro.baseline = args.value("baseline", "");
    ro.stats.seed = cfg.seed;
    EvalReport report = project.with([&](Database& d) {
        JobStore jobs(d);
        const auto job = jobs.get(s.jobId);
        if (!job)
            throw Error("evaluation job " + std::to_string(s.jobId) + " vanished from " + path);
        EvalReport r = buildEvalReport(s.jobId, job->config, EvalStore(d).episodes(s.jobId), ro);
        if (const auto f = latestFidelity(d, r.simulator))
            r.fidelity = f->toJson();
        return r;
    });
    report.requests = s.usage.requests;
    report.cacheHits = s.usage.cacheHits;
    if (json) {
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
