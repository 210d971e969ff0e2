#include "core/eval/evaluation_request.h"

#include "core/eval/eval_backends.h"
#include "core/eval/evaluation_job.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/eval_store.h"

#include <sstream>

namespace hw {
namespace {

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

} // namespace

ResolvedPersonas resolvePersonas(Database& db, const PromptLibrary& prompts, const Task& task, const std::string& given)
{
    ResolvedPersonas out;
    std::string arg = given;
    EvalStore store(db);
    if (arg.empty() && task.kind == TaskKind::Counseling && !store.esconvMetadata(task.name, 1).empty())
        arg = "esconv:4";
    if (arg == "esconv" || arg.rfind("esconv:", 0) == 0) {
        int n = 4;
        if (arg.size() > 7) {
            try {
                size_t used = 0;
                n = std::stoi(arg.substr(7), &used);
                if (used != arg.size() - 7 || n < 1)
                    throw std::invalid_argument(arg);
            } catch (const std::exception&) {
                throw Error("--personas " + arg + ": expected esconv:N with N >= 1");
            }
        }
        for (const auto& [uid, meta] : store.esconvMetadata(task.name, 100000)) {
            EvalPersona p = personaFromEsconvMetadata(uid, meta);
            if (!p.name.empty())
                out.personas.push_back(p);
            if (static_cast<int>(out.personas.size()) >= n)
                break;
        }
        if (out.personas.empty())
            throw Error("--personas " + arg + ": no imported ESConv dialogue of task '" + task.name
                        + "' has problem type, emotion, situation and initial intensity");
        out.set = "esconv:" + std::to_string(out.personas.size());
        return out;
    }
    out.personas = selectPersonas(loadEvalPersonas(prompts, task), splitCommas(arg));
    out.set = "personas.json:";
    for (size_t i = 0; i < out.personas.size(); ++i)
        out.set += (i ? "," : "") + out.personas[i].name;
    return out;
}

EvaluationOutcome runEvaluationRequest(SharedProject& project, const EvaluationRequest& request, const JobHooks& hooks,
                                       const JobHooks* fidelityHooks)
{
    std::vector<EvalAgentSpec> specs;
    for (const auto& a : request.agents)
        specs.push_back(parseAgentSpec(a));
    if (specs.empty())
        throw Error("evaluate: name at least one agent (" + std::string(kAgentSpecHelp) + ")");
    if (request.simulator.empty())
        throw Error("evaluate: a simulator is required (" + std::string(kSimulatorSpecHelp) + ")");
    const SimulatorSpec simSpec = parseSimulatorSpec(request.simulator);
    // Names must tell agents apart in the report.
    for (size_t i = 0; i < specs.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (specs[i].name == specs[j].name)
                specs[i].name += " #" + std::to_string(i + 1);
    if (request.episodesPerPersona < 1)
        throw Error("evaluate: episodes per persona must be at least 1");

    const PromptLibrary prompts = request.promptDirs.empty() ? PromptLibrary() : PromptLibrary(request.promptDirs);
    Task task;
    ResolvedPersonas personas;
    project.with([&](Database& db) {
        const auto t = DialogueStore(db).task(request.task);
        if (!t)
            throw Error("no task named '" + request.task + "' in " + db.path());
        task = *t;
        personas = resolvePersonas(db, prompts, task, request.personas);
    });

    EvalBackendOptions bo;
    bo.endpointsFile = request.endpointsFile;
    bo.promptDirs = request.promptDirs;
    bo.concurrency = request.concurrency;
    // Local checkpoints batch the episodes in flight on one engine each (agents and simulator).
    bo.localParallel = request.concurrency > 0 ? request.concurrency : kDefaultLocalEpisodesInFlight;
    bo.device = request.device;
    bo.personaSet = personas.set;
    EvalBackends backends(project, task, specs, simSpec, bo);

    std::vector<NamedAgent> agents;
    const auto built = backends.agents();
    for (size_t i = 0; i < specs.size(); ++i)
        agents.push_back({specs[i].name, specs[i].text, built[i]});
    EvaluationConfig cfg;
    cfg.task = request.task;
    cfg.episodesPerPersona = request.episodesPerPersona;
    cfg.maxTurns = request.maxTurns;
    cfg.seed = request.seed;
    cfg.request = request;
    cfg.concurrency = request.concurrency > 0 ? request.concurrency : std::max(1, backends.simulator().maxConcurrency());

    EvaluationOutcome out;
    if (request.fidelity > 0) {
        FidelityConfig fc;
        fc.task = request.task;
        fc.dialogues = request.fidelity;
        fc.seed = request.seed;
        fc.concurrency = cfg.concurrency;
        JobSummary fs;
        out.fidelity = runFidelity(project, fc, backends.simulator(), fidelityHooks ? *fidelityHooks : hooks, &fs);
        out.fidelitySummary = fs;
        if (fs.status != "done") {
            out.summary = fs;
            return out;
        }
    }
    out.summary = runEvaluation(project, cfg, personas.personas, agents, backends.simulator(), hooks);
    return out;
}

} // namespace hw
