#include "core/eval/episode_runner.h"

#include "core/eval/simulator_faults.h"
#include "core/pipeline/llm_stage_support.h"

#include <algorithm>

namespace hw {
namespace {

// A seed per turn and side, stable for the episode: the same episode asks the same calls again
// (cache hits on resume), and the agent and simulator draw independent samples.
StageContext turnContext(const StageContext& episode, int turn, int side)
{
    StageContext ctx = episode;
    ctx.seed = attemptSeed(episode.seed ^ (0x51ED270B27A3C5F1ull * static_cast<uint64_t>(turn * 2 + side + 1)), 0);
    return ctx;
}

} // namespace

int defaultMaxTurns(const Task& task)
{
    // A task defined as data caps agent and user turns together; a round here is one of each.
    if (task.kind == TaskKind::Custom && task.turnCap > 0)
        return std::max(1, task.turnCap / 2);
    return task.kind == TaskKind::Counseling ? 15 : 10;
}

EpisodeResult runEpisode(const Task& task, const EvalPersona& persona, EvalAgent& agent, UserSimulator& simulator,
                         int maxTurns, const StageContext& ctx)
{
    EpisodeResult out;
    // The built-ins as before (the seeker opens in counseling); a task defined as data says who opens.
    const bool userOpens = !task.agentOpens();
    bool ended = false;

    auto userStep = [&]() -> bool {
        const int index = static_cast<int>(out.turns.size());
        SimulatorTurn t = simulator.userTurn(task, persona, out.turns, turnContext(ctx, index, 1));
        out.usage += t.usage;
        if (!t.ok) {
            out.error = "simulated user: " + t.error;
            return false;
        }
        const auto faults = userTurnFaults(task, out.turns, t.text, t.wantsToEnd);
        for (const auto& f : faults)
            out.faults[f] = out.faults.value(f, 0) + 1;
        if (!t.text.empty() || !t.wantsToEnd) {
            Turn turn{index, Role::User, t.text, {{"provenance", t.provenance}}};
            if (!faults.empty())
                turn.annotations["faults"] = faults;
            out.turns.push_back(std::move(turn));
        }
        ended = t.wantsToEnd;
        return true;
    };

    if (userOpens && !userStep())
        return out;
    for (int round = 0; round < maxTurns && !ended; ++round) {
        const int index = static_cast<int>(out.turns.size());
        AgentTurn a = agent.reply(task, out.turns, turnContext(ctx, index, 0));
        out.usage += a.usage;
        if (!a.ok) {
            out.error = "agent: " + a.error;
            return out;
        }
        out.turns.push_back({index, Role::Agent, a.text, {{"provenance", a.provenance}}});
        if (!userStep())
            return out;
    }
    out.endedEarly = ended;
    SimulatorDecision d = simulator.decide(task, persona, out.turns, turnContext(ctx, static_cast<int>(out.turns.size()), 2));
    out.usage += d.usage;
    out.decisionRaw = d.raw;
    out.decisionProvenance = d.provenance;
    if (!d.ok) {
        out.error = d.error;
        return out;
    }
    out.reward = d.reward;
    out.outcome = d.outcome;
    out.ok = true;
    return out;
}

} // namespace hw
