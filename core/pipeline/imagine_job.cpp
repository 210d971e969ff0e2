#include "core/pipeline/imagine_job.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <algorithm>

namespace hw {

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
        GenerateResult r = generator.generate(task, persona, index, ctx);
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
        d.metadata = {{"imagined", {{"persona", persona.name}, {"persona_description", persona.description},
                                    {"index", index}, {"generator", r.provenance}}}};
        out.counts = {{"dialogues", 1}};
        out.commit = [d](Database& db, nlohmann::json& result) {
            const auto ins = DialogueStore(db).insert(d);
            result["dialogue_id"] = ins.id;
        };
        return out;
    });
}

} // namespace hw
