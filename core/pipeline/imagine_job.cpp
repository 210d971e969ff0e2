#include "core/pipeline/imagine_job.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace hw {
namespace {

double unitDraw(uint64_t seed)
{
    std::mt19937_64 rng(seed);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// The initial emotional intensity (1-5) an imagined counseling dialogue starts from: the persona's
// hidden initial_intensity, else one that lets the target be reached (final = initial - target
// within 1..5), drawn from `seed`. The target is then clamped into what that initial allows.
int counselingInitial(const Persona& persona, ImagineTarget& target, uint64_t seed)
{
    int initial = 0;
    if (persona.hidden.is_object() && persona.hidden.contains("initial_intensity")
        && persona.hidden["initial_intensity"].is_number_integer())
        initial = persona.hidden["initial_intensity"].get<int>();
    if (initial < 1 || initial > 5) {
        const double r = target.outcome ? *target.outcome : 0.0;
        const int lo = std::max(1, 1 + static_cast<int>(std::ceil(r)));
        const int hi = std::min(5, 5 + static_cast<int>(std::floor(r)));
        initial = lo > hi ? 3 : lo + static_cast<int>(unitDraw(seed) * (hi - lo + 1)) % (hi - lo + 1);
    }
    if (target.outcome)
        target.outcome = std::clamp(*target.outcome, static_cast<double>(initial - 5), static_cast<double>(initial - 1));
    return initial;
}

} // namespace

ImagineTarget imagineTarget(const Task& task, int index, int count, uint64_t seed)
{
    ImagineTarget t;
    if (count < 1)
        return t;
    const double width = (task.rewardMax - task.rewardMin) / count;
    double v = task.rewardMin + width * (index + unitDraw(seed));
    v = std::clamp(v, task.rewardMin, task.rewardMax);
    // Counseling rewards are whole intensity steps; other tasks keep two decimals.
    v = task.kind == TaskKind::Counseling ? std::round(v) : std::round(v * 100.0) / 100.0;
    t.outcome = std::clamp(v, task.rewardMin, task.rewardMax);
    double best = INFINITY;
    for (const auto& a : task.rewardAnchors)
        if (std::abs(a.score - *t.outcome) < best) {
            best = std::abs(a.score - *t.outcome);
            t.anchorMeaning = a.meaning;
        }
    return t;
}

JobSummary runImagine(SharedProject& project, const ImagineConfig& config, const std::vector<Persona>& allPersonas,
                      DialogueGenerator& generator, const JobHooks& hooks)
{
    std::vector<Persona> personas;
    for (const auto& p : allPersonas)
        if (config.personas.empty() || std::find(config.personas.begin(), config.personas.end(), p.name) != config.personas.end())
            personas.push_back(p);
    for (const auto& name : config.personas)
        if (std::none_of(allPersonas.begin(), allPersonas.end(), [&](const Persona& p) { return p.name == name; }))
            throw Error("imagine: unknown persona '" + name + "'");
    if (config.perPersona < 1)
        throw Error("imagine: at least one dialogue per persona");

    nlohmann::json cfg = config;
    if (cfg["stage"].empty())
        cfg["stage"] = {{"generator", generator.name()}};
    JobRunner::Options opts;
    opts.kind = "imagine";
    opts.name = "imagine " + config.task;
    opts.config = config.description.is_null() ? cfg : config.description;
    opts.concurrency = std::min(config.concurrency, generator.maxConcurrency());
    opts.seed = config.seed;
    JobRunner runner(project, opts, hooks);

    auto uidOf = [&](const std::string& persona, int index) {
        return "imagined-" + persona + "-" + std::to_string(config.seed) + "-" + std::to_string(index);
    };
    Task task;
    std::vector<std::string> keys;
    project.with([&](Database& db) {
        DialogueStore store(db);
        const auto t = store.task(config.task);
        if (!t)
            throw Error("no task named '" + config.task + "' in " + db.path());
        task = *t;
        for (const auto& p : personas)
            for (int i = 0; i < config.perPersona; ++i) {
                const auto existing = store.findByUid(config.task, uidOf(p.name, i));
                if (existing) {
                    // Made by this job (then it is a done item) or an earlier one (skip).
                    Statement st(db, "SELECT 1 FROM job_items WHERE job_id = ? AND item_key = ?");
                    st.bind(1, runner.jobId()).bind(2, "i:" + p.name + ":" + std::to_string(i));
                    if (!st.step())
                        continue;
                }
                keys.push_back("i:" + p.name + ":" + std::to_string(i));
            }
    });

    return runner.run(keys, [&](const std::string& key, const StageContext& ctx) {
        const size_t colon = key.rfind(':');
        const std::string personaName = key.substr(2, colon - 2);
        const int index = std::stoi(key.substr(colon + 1));
        const Persona& persona = *std::find_if(personas.begin(), personas.end(),
                                               [&](const Persona& p) { return p.name == personaName; });
        ImagineTarget target;
        if (config.targetOutcomes)
            target = imagineTarget(task, index, config.perPersona,
                                   itemSeed(config.seed, "target:" + persona.name + ":" + std::to_string(index)));
        std::optional<int> initial;
        if (task.kind == TaskKind::Counseling)
            initial = counselingInitial(persona, target,
                                        itemSeed(config.seed, "initial:" + persona.name + ":" + std::to_string(index)));
        // The user plays the persona with its hidden state (and the initial intensity drawn for it).
        Persona played = persona;
        if (!played.hidden.is_object())
            played.hidden = nlohmann::json::object();
        if (initial)
            played.hidden["initial_intensity"] = *initial;
        GenerateResult r = generator.generate(task, played, index, target, ctx);
        JobItemOutcome out;
        out.ok = r.ok;
        out.error = r.error;
        out.usage = r.usage;
        if (!r.ok) {
            out.result = {{"raw", r.raw.substr(0, 20000)}};
            return out;
        }
        Dialogue d;
        d.uid = uidOf(persona.name, index);
        d.task = task.name;
        d.source = source::kImagined;
        d.turns = std::move(r.turns);
        nlohmann::json imagined = {{"persona", persona.name},
                                   {"persona_description", persona.description},
                                   {"persona_hidden", played.hidden},
                                   {"index", index},
                                   {"generator", r.provenance}};
        if (target.outcome) {
            imagined["target_outcome"] = *target.outcome;
            imagined["target_anchor"] = target.anchorMeaning;
        }
        d.metadata = {{"imagined", imagined}};
        // Where the counseling labeller reads it (few_shot_pool.h initialIntensity): reward =
        // initial - final, so an imagined counseling dialogue can be labelled.
        if (initial)
            d.metadata["initial_emotion_intensity"] = *initial;
        out.counts = {{"dialogues", 1}};
        out.commit = [d](Database& db, nlohmann::json& result) {
            const auto ins = DialogueStore(db).insert(d);
            result["dialogue_id"] = ins.id;
        };
        return out;
    });
}

} // namespace hw
