// Step 6 of the method (evaluation against simulated users, core/eval) as a registered stage kind
// (stage_registry.h), so that every front end can start and resume evaluation runs.
//
// Agents and the simulator are specs (core/eval/eval_spec.h), not backend roles: one evaluation
// compares any number of agents. The job keeps the config it always wrote (EvaluationConfig, read
// by the reports), which carries the request it was started from; describing a stored job reads
// that request back, so `hindsight evaluate` and the Jobs page resume each other's runs.
#include "core/eval/eval_spec.h"
#include "core/eval/evaluation_request.h"
#include "core/pipeline/stage_registry.h"
#include "core/util/error.h"

#include <sstream>

namespace hw {
namespace {

// Agent specs contain commas; the one-line form separates them with ';' (or new lines).
std::vector<std::string> splitAgents(const std::string& text)
{
    std::vector<std::string> out;
    std::string part;
    std::stringstream in(text);
    while (std::getline(in, part, '\n')) {
        std::stringstream line(part);
        std::string spec;
        while (std::getline(line, spec, ';')) {
            const auto b = spec.find_first_not_of(" \t\r");
            const auto e = spec.find_last_not_of(" \t\r");
            if (b != std::string::npos)
                out.push_back(spec.substr(b, e - b + 1));
        }
    }
    return out;
}

std::string joinAgents(const std::vector<std::string>& agents)
{
    std::string out;
    for (size_t i = 0; i < agents.size(); ++i)
        out += (i ? "; " : "") + agents[i];
    return out;
}

EvaluationRequest requestOf(const StageDescription& d)
{
    EvaluationRequest r;
    r.task = d.task;
    r.agents = splitAgents(d.options["agents"].get<std::string>());
    r.simulator = d.options["simulator"].get<std::string>();
    r.personas = d.options["personas"].get<std::string>();
    r.episodesPerPersona = d.options["episodesPerPersona"].get<int>();
    r.maxTurns = d.options["maxTurns"].get<int>();
    r.fidelity = d.options["fidelity"].get<int>();
    r.device = d.options["device"].get<std::string>();
    r.endpointsFile = d.options["endpointsFile"].get<std::string>();
    r.promptDirs = d.options["promptDirs"].get<std::vector<std::string>>();
    r.seed = d.seed;
    r.concurrency = d.concurrency;
    return r;
}

StageDescription describeEvaluation(const EvaluationRequest& r)
{
    StageDescription d;
    d.kind = "evaluate";
    d.task = r.task;
    d.seed = r.seed;
    d.concurrency = r.concurrency;
    d.options = {{"agents", joinAgents(r.agents)},
                 {"simulator", r.simulator},
                 {"personas", r.personas},
                 {"episodesPerPersona", r.episodesPerPersona},
                 {"maxTurns", r.maxTurns},
                 {"fidelity", r.fidelity},
                 {"device", r.device},
                 {"endpointsFile", r.endpointsFile},
                 {"promptDirs", r.promptDirs}};
    return d;
}

} // namespace

StageKind evaluateStageKind()
{
    StageKind k;
    k.name = "evaluate";
    k.title = "Evaluate: agents against simulated users";
    k.role = "Every agent plays the same seeded episodes against each simulated user persona (step 6).";
    k.keepsJobConfig = true;
    k.usesLimit = false;
    k.options = describeEvaluation(EvaluationRequest{}).options;
    k.options["agents"] = "";
    k.fields = {
        {"agents", "Agents", std::string("Separated by ';'. ") + kAgentSpecHelp, 0, 0, {},
         "ckpt:runs/3/checkpoint,beta=8,name=ilql; ckpt:runs/2/checkpoint,name=sft"},
        {"simulator", "Simulated user", kSimulatorSpecHelp, 0, 0, {}, "local:FORWARD_CKPT,reward=REWARD_CKPT"},
        {"personas", "Personas", "Comma-separated names from the task's personas.json, or esconv:N (ESConv "
         "seekers). Empty: the task's default set.", 0, 0, {}, "default set"},
        {"episodesPerPersona", "Episodes per persona", "Paired episodes each agent plays against each persona "
         "(the paper: 100 with four personas).", 1, 100000, {}, ""},
        {"maxTurns", "Agent turns per episode", "0: the task's default (10 persuasion, 15 counseling).", 0, 200, {},
         "task's default"},
        {"fidelity", "Fidelity check (real dialogues)", "Before the episodes, measure the simulator against this many "
         "real dialogues (0 = skip).", 0, 100000, {}, "skip"}};
    k.validate = [](const StageDescription& d) {
        for (const auto& dir : d.options["promptDirs"])
            if (!dir.is_string())
                throw Error("stage evaluate: options.promptDirs must be a list of folders");
        const EvaluationRequest r = requestOf(d);
        if (r.agents.empty())
            throw Error(std::string("stage evaluate: options.agents names no agent (") + kAgentSpecHelp + ")");
        for (const auto& a : r.agents)
            parseAgentSpec(a);
        if (r.simulator.empty())
            throw Error(std::string("stage evaluate: options.simulator is required (") + kSimulatorSpecHelp + ")");
        parseSimulatorSpec(r.simulator);
        if (r.episodesPerPersona < 1)
            throw Error("stage evaluate: options.episodesPerPersona must be at least 1");
        if (r.maxTurns < 0 || r.fidelity < 0)
            throw Error("stage evaluate: options.maxTurns and options.fidelity must not be negative");
    };
    // The job's own config (EvaluationConfig): its "request" is how it was started.
    k.fromLegacy = [](const nlohmann::json& c) {
        const auto it = c.find("request");
        if (it == c.end() || !it->is_object())
            throw Error("this evaluation was recorded by an older version without its request; run the same "
                        "`hindsight evaluate` command again to continue it");
        return describeEvaluation(it->get<EvaluationRequest>());
    };
    k.run = [](StageRun& r) { return runEvaluationRequest(r.project, requestOf(r.description), r.hooks).summary; };
    return k;
}

} // namespace hw
