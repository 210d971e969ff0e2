// hindsight trainset: create, list, show, export and delete a project's training sets.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/train/training_set.h"
#include "core/util/error.h"

#include <cstdio>
#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight trainset create PROJECT.hwb --name NAME --preset P [filters]
       hindsight trainset list PROJECT.hwb [--json]
       hindsight trainset show PROJECT.hwb NAME
       hindsight trainset export PROJECT.hwb NAME -o FILE.jsonl
       hindsight trainset delete PROJECT.hwb NAME

A training set is a named, saved selection of the project's dialogues with its lineage (which
sources, which regenerations and the generators and prompts that made them, reward range).
Presets for the paper's agents:
  sft             top 25% of the original dialogues by reward
  rft             top 25% of originals and regenerations together, by reward
  ilql-orig       every labelled original dialogue
  ilql-zero-shot  every labelled imagined (zero-shot) dialogue
  hindsight-rl    labelled originals and hindsight regenerations (the full method)
  custom          only the filters below

Filters (on top of the preset's):
  --task T             task (default: the project's only task with dialogues)
  --source S           source kind (original, regeneration, imagined) or exact source name;
                       repeatable; replaces the preset's sources
  --min-quantile Q     keep dialogues at or above this reward quantile (0.75 = top 25%)
  --max-quantile Q     and at or below this one
  --all-quantiles      drop the preset's reward quantile
  --include-unlabeled  keep dialogues without a reward (no quantile then)
  --no-hard            leave out regenerations of the "hard" forward model
  -o, --output FILE    (create) also export the new set as JSON Lines
  --json               machine-readable output
)";

std::vector<std::string> withOutputAlias(std::vector<std::string> a)
{
    for (auto& s : a)
        if (s == "-o")
            s = "--output";
    return a;
}

void printSet(const TrainingSet& s)
{
    // Sets built by the aggregate stage have no preset: say how they were made instead of "?".
    std::string preset = s.spec.value("preset", std::string());
    if (preset.empty() && s.spec.contains("k"))
        preset = "aggregate x" + s.spec["k"].dump();
    if (preset.empty())
        preset = "-";
    std::printf("%-28s %6lld dialogues  task %-12s preset %-15s %s\n", s.name.c_str(), static_cast<long long>(s.size),
                s.task.c_str(), preset.c_str(), s.createdAt.c_str());
}

int runTrainset(const std::vector<std::string>& argvIn)
{
    const auto argv = withOutputAlias(argvIn);
    const Args args(argv, {"name", "preset", "task", "source", "min-quantile", "max-quantile", "output"},
                    {"all-quantiles", "include-unlabeled", "no-hard", "json"});
    const std::string& action = args.positional(0, "ACTION (create, list, show, export, delete)");
    const std::string& project = args.positional(1, "PROJECT.hwb");
    auto db = Database::open(project);
    TrainingSetStore store(db);
    const bool json = args.flag("json");

    if (action == "create") {
        const auto name = args.value("name");
        if (!name)
            throw Error("missing --name NAME");
        TrainingSetSpec spec = TrainingSetSpec::fromPreset(args.value("preset", "custom"), args.value("task", ""));
        if (!args.values("source").empty())
            spec.sources = args.values("source");
        if (args.flag("all-quantiles"))
            spec.minQuantile = spec.maxQuantile = std::nullopt;
        if (args.value("min-quantile"))
            spec.minQuantile = args.doubleValue("min-quantile", 0.0);
        if (args.value("max-quantile"))
            spec.maxQuantile = args.doubleValue("max-quantile", 1.0);
        if (args.flag("include-unlabeled")) {
            spec.labeledOnly = false;
            spec.minQuantile = spec.maxQuantile = std::nullopt;
        }
        if (args.flag("no-hard"))
            spec.includeHard = false;
        const int64_t id = createTrainingSet(db, *name, spec);
        const auto set = store.get(id);
        int64_t exported = -1;
        if (const auto out = args.value("output"))
            exported = store.exportJsonl(id, *out);
        if (json) {
            nlohmann::json j = {{"id", set->id}, {"name", set->name}, {"task", set->task}, {"size", set->size},
                                {"spec", set->spec}, {"lineage", set->lineage}};
            if (exported >= 0)
                j["exported"] = exported;
            std::cout << j.dump(2) << "\n";
        } else {
            printSet(*set);
            const auto& byKind = set->lineage.value("by_kind", nlohmann::json::object());
            for (const auto& item : byKind.items())
                std::printf("  %-13s %lld\n", item.key().c_str(), static_cast<long long>(item.value().get<int64_t>()));
            if (exported >= 0)
                std::printf("  exported %lld dialogues to %s\n", static_cast<long long>(exported),
                            args.value("output")->c_str());
        }
        return 0;
    }
    if (action == "list") {
        const auto sets = store.list();
        if (json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& s : sets)
                arr.push_back({{"id", s.id}, {"name", s.name}, {"task", s.task}, {"size", s.size}, {"spec", s.spec},
                               {"created_at", s.createdAt}});
            std::cout << arr.dump(2) << "\n";
        } else {
            if (sets.empty())
                std::printf("no training sets (create one with `hindsight trainset create`)\n");
            for (const auto& s : sets)
                printSet(s);
        }
        return 0;
    }
    const std::string& name = args.positional(2, "NAME");
    const auto set = store.find(name);
    if (!set)
        throw Error(project + ": no training set named '" + name + "'");
    if (action == "show") {
        std::cout << nlohmann::json({{"id", set->id}, {"name", set->name}, {"task", set->task}, {"size", set->size},
                                     {"spec", set->spec}, {"lineage", set->lineage}, {"created_at", set->createdAt}})
                         .dump(2)
                  << "\n";
        return 0;
    }
    if (action == "export") {
        const auto out = args.value("output");
        if (!out)
            throw Error("missing -o FILE.jsonl");
        const int64_t n = store.exportJsonl(set->id, *out);
        std::printf("exported %lld dialogues of '%s' to %s\n", static_cast<long long>(n), name.c_str(), out->c_str());
        return 0;
    }
    if (action == "delete") {
        store.remove(set->id);
        std::printf("deleted training set '%s'\n", name.c_str());
        return 0;
    }
    throw Error("unknown action '" + action + "' (create, list, show, export, delete)");
}

const bool registered =
    registerCommand({"trainset", "create, list, show, export training sets (SFT, RFT, ILQL, Hindsight RL)", kUsage,
                     &runTrainset});

} // namespace
} // namespace hw::cli
