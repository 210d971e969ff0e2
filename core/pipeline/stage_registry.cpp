#include "core/pipeline/stage_registry.h"

#include "core/pipeline/stage_backend_set.h"
#include "core/store/database.h"
#include "core/util/error.h"

#include <algorithm>

namespace hw {

#define HW_STAGE(name) StageKind name##StageKind();
#include "core/pipeline/stage_list.h"
#undef HW_STAGE

namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

const char* typeName(const nlohmann::json& v)
{
    if (v.is_number_integer())
        return "an integer";
    if (v.is_number())
        return "a number";
    if (v.is_boolean())
        return "true or false";
    if (v.is_string())
        return "a string";
    if (v.is_array())
        return "a list";
    return "an object";
}

// The option as the stage declared its type, or nullopt when the JSON type differs.
std::optional<nlohmann::json> asDeclared(const nlohmann::json& value, const nlohmann::json& declared)
{
    if (declared.is_number_integer())
        return value.is_number_integer() ? std::optional<nlohmann::json>(value) : std::nullopt;
    if (declared.is_number())
        return value.is_number() ? std::optional<nlohmann::json>(value.get<double>()) : std::nullopt;
    if (declared.is_boolean())
        return value.is_boolean() ? std::optional<nlohmann::json>(value) : std::nullopt;
    if (declared.is_string())
        return value.is_string() ? std::optional<nlohmann::json>(value) : std::nullopt;
    if (declared.is_array())
        return value.is_array() ? std::optional<nlohmann::json>(value) : std::nullopt;
    return value.is_object() ? std::optional<nlohmann::json>(value) : std::nullopt;
}

std::vector<std::string> neededRoles(const StageKind& kind, const StageDescription& d)
{
    if (kind.needs)
        return kind.needs(d);
    std::vector<std::string> all;
    for (const auto& [r, kinds] : kind.roles)
        all.push_back(r);
    return all;
}

} // namespace

const std::vector<StageKind>& stageKinds()
{
    static const std::vector<StageKind> kinds = {
#define HW_STAGE(name) name##StageKind(),
#include "core/pipeline/stage_list.h"
#undef HW_STAGE
    };
    return kinds;
}

const StageKind* findStageKind(const std::string& name)
{
    for (const auto& k : stageKinds())
        if (k.name == name)
            return &k;
    return nullptr;
}

const StageKind& stageKind(const std::string& name)
{
    if (const StageKind* k = findStageKind(name))
        return *k;
    std::vector<std::string> names;
    for (const auto& k : stageKinds())
        names.push_back(k.name);
    throw Error("unknown stage '" + name + "' (known: " + joined(names) + ")");
}

std::vector<std::string> stageNeeds(const StageDescription& d)
{
    return neededRoles(stageKind(d.kind), d);
}

StageDescription normalizeStage(StageDescription d)
{
    const StageKind& kind = stageKind(d.kind);
    const std::string where = "stage " + d.kind + ": ";
    if (d.version != 1)
        throw Error(where + "description version " + std::to_string(d.version) + " is not known to this build");
    if (d.task.empty())
        throw Error(where + "no task given");
    if (!d.options.is_object())
        throw Error(where + "options must be a JSON object");
    nlohmann::json options = kind.options;
    for (auto it = d.options.begin(); it != d.options.end(); ++it) {
        if (!kind.options.contains(it.key())) {
            std::vector<std::string> known;
            for (auto k = kind.options.begin(); k != kind.options.end(); ++k)
                known.push_back(k.key());
            throw Error(where + "unknown option '" + it.key() + "'"
                        + (known.empty() ? " (it has none)" : " (known: " + joined(known) + ")"));
        }
        const nlohmann::json& declared = kind.options[it.key()];
        const auto value = asDeclared(it.value(), declared);
        if (!value)
            throw Error(where + "options." + it.key() + " must be " + typeName(declared));
        options[it.key()] = *value;
    }
    d.options = options;
    if (d.samples < 1)
        throw Error(where + "samples must be at least 1");
    if (d.hardShare < 0.0 || d.hardShare > 1.0)
        throw Error(where + "hardShare must be between 0 and 1");
    if (d.limit < 0)
        throw Error(where + "limit cannot be negative");
    if (d.concurrency < 0)
        throw Error(where + "concurrency cannot be negative");

    // Only the roles this run uses: a backend it would not call must not change the job's identity.
    const std::vector<std::string> needed = neededRoles(kind, d);
    std::map<std::string, StageBackend> kept;
    for (const auto& r : needed) {
        const auto it = d.backends.find(r);
        if (it == d.backends.end() || it->second.kind.empty())
            throw Error(where + "no backend for its " + r);
        const StageBackend& b = it->second;
        const auto allowed = kind.roles.count(r) ? kind.roles.at(r) : std::vector<std::string>{};
        if (std::find(allowed.begin(), allowed.end(), b.kind) == allowed.end())
            throw Error(where + "its " + r + " cannot run on '" + b.kind + "' (" + joined(allowed) + ")");
        if (b.kind == "llm" && (b.endpoint.empty() || b.model.empty()))
            throw Error(where + "the " + r + " endpoint needs a URL and a model");
        if (b.kind == "checkpoint" && b.checkpoint.empty())
            throw Error(where + "the " + r + " checkpoint folder is not given");
        kept[r] = b;
    }
    d.backends = kept;
    if (!kind.usesItems)
        d.concurrency = 0;
    if (kind.validate)
        kind.validate(d);
    return d;
}

JobSummary runStage(SharedProject& project, const StageDescription& description, const JobHooks& hooks,
                    const std::optional<EndpointProfiles>& profiles)
{
    StageDescription d = normalizeStage(description);
    const StageKind& kind = stageKind(d.kind);
    // Jobs recorded by older builds become descriptions first, so this run continues them.
    project.with([](Database& db) { upgradeJobDescriptions(db); });
    StageBackendSet backends(project, d, profiles);
    // Stages without backend roles (evaluate) choose their own default.
    if (kind.usesItems && d.concurrency <= 0 && !kind.roles.empty())
        d.concurrency = backends.concurrency();
    StageRun run{project, d, backends, hooks};
    JobSummary s = kind.run(run);
    s.extra["description"] = d;
    return s;
}

std::vector<JobSummary> runStages(SharedProject& project, const std::vector<StageDescription>& stages,
                                  const JobHooks& hooks, const std::optional<EndpointProfiles>& profiles)
{
    // Every description is checked before the first job starts.
    for (const auto& d : stages)
        normalizeStage(d);
    std::vector<JobSummary> out;
    for (const auto& d : stages) {
        out.push_back(runStage(project, d, hooks, profiles));
        if (out.back().status != "done")
            break;
    }
    return out;
}

StageDescription describeJob(const std::string& kindName, const nlohmann::json& config)
{
    const StageKind& kind = stageKind(kindName);
    if (config.is_object() && config.contains("backends") && config.contains("version")) {
        StageDescription d;
        try {
            d = config.get<StageDescription>();
        } catch (const std::exception& e) {
            throw Error("job description of kind " + kindName + " is malformed: " + e.what());
        }
        d.kind = kindName;
        return d;
    }
    if (!kind.fromLegacy)
        throw Error("jobs of kind " + kindName + " have no older format to read");
    StageDescription d = kind.fromLegacy(config.is_object() ? config : nlohmann::json::object());
    d.kind = kindName;
    return d;
}

int upgradeJobDescriptions(Database& db)
{
    struct Row {
        int64_t id;
        std::string kind;
        nlohmann::json config;
    };
    std::vector<Row> rows;
    {
        Statement st(db, "SELECT id, kind, config FROM jobs WHERE json_valid(config) "
                         "AND json_extract(config, '$.backends') IS NULL AND json_extract(config, '$.migrated_from') IS NULL");
        while (st.step()) {
            const auto config = nlohmann::json::parse(st.text(2), nullptr, false);
            const StageKind* kind = findStageKind(st.text(1));
            if (kind && !kind->keepsJobConfig && config.is_object())
                rows.push_back({st.int64(0), st.text(1), config});
        }
    }
    if (rows.empty())
        return 0;
    int upgraded = 0;
    Transaction tx(db);
    for (const auto& row : rows) {
        StageDescription d;
        try {
            d = normalizeStage(describeJob(row.kind, row.config));
        } catch (const Error&) {
            // Says too little to run again (a core caller's own record): left as it is.
            continue;
        }
        nlohmann::json config = d;
        config["config_hash"] = JobRunner::configHash(config);
        nlohmann::json old = row.config;
        old.erase("config_hash");
        config["migrated_from"] = old;
        Statement up(db, "UPDATE jobs SET config = ? WHERE id = ?");
        up.bind(1, config.dump()).bind(2, row.id);
        up.exec();
        ++upgraded;
    }
    tx.commit();
    return upgraded;
}

} // namespace hw
