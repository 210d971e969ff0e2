// hindsight eval-report: an evaluation run's results in the paper's layout.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/eval/eval_report.h"
#include "core/eval/simulator_fidelity.h"
#include "core/store/job_store.h"
#include "core/store/database.h"
#include "core/store/eval_store.h"
#include "core/store/study_store.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight eval-report PROJECT.hwb [RUN] [--format md|csv|latex|json] [--baseline AGENT]
                                [--study STUDY]

Prints an evaluation run (default: the newest) with methods as columns and metric rows Reward (sim)
overall and per persona: mean ± std [bootstrap 95% interval], the paired difference against the
baseline agent (default: the first) with its interval and Holm-corrected sign-flip p ("*"
significant at 0.05, "n.s." not), failed episodes and simulator faults.

  --format F        md (default), csv, latex or json (keys: run, simulator, agents[], comparisons[],
                    requests, cache_hits)
  --json            same as --format json
  --baseline AGENT  agent name or spec to compare with
  --study STUDY     add a human study's rows above Reward (sim) (`hindsight study list`): persuasion
                    Nat./Flu., Relevancy, Reward (donation); counseling Naturalness, Comforting,
                    Helpfulness, Reward (initial - final intensity). Agents are matched by name or
                    by checkpoint and β; "—" for agents the study did not have. JSON: "human".
  --seed S          bootstrap / permutation seed (default 0)
  --list            list the project's evaluation runs
)";

int runEvalReportCmd(const std::vector<std::string>& argv)
{
    const Args args(argv, {"format", "baseline", "seed", "study"}, {"json", "list"});
    const std::string& path = args.positional(0, "PROJECT.hwb");
    Database db = Database::open(path, Database::Mode::ReadOnly);
    EvalStore store(db);
    const auto runs = store.runs();
    if (args.flag("list")) {
        for (const auto& [id, name] : runs)
            std::cout << id << "\t" << name << "\n";
        return 0;
    }
    if (runs.empty())
        throw Error(path + ": no evaluation runs (start one with `hindsight evaluate`)");
    int64_t run = runs.front().first;
    if (args.positional().size() > 1) {
        const std::string& text = args.positional()[1];
        try {
            size_t used = 0;
            run = std::stoll(text, &used);
            if (used != text.size())
                throw std::invalid_argument(text);
        } catch (const std::exception&) {
            throw Error("RUN must be an evaluation run id, not '" + text + "'");
        }
    }
    JobStore jobs(db);
    const auto job = jobs.get(run);
    if (!job || job->kind != "evaluate")
        throw Error(path + ": no evaluation run " + std::to_string(run) + " (see `hindsight eval-report "
                    + path + " --list`)");
    EvalReportOptions ro;
    ro.baseline = args.value("baseline", "");
    ro.stats.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    EvalReport report = buildEvalReport(run, job->config, store.episodes(run), ro);
    if (const auto f = latestFidelity(db, report.simulator))
        report.fidelity = f->toJson();
    if (const auto studyText = args.value("study")) {
        int64_t studyId = 0;
        try {
            size_t used = 0;
            studyId = std::stoll(*studyText, &used);
            if (used != studyText->size())
                throw std::invalid_argument(*studyText);
        } catch (const std::exception&) {
            throw Error("--study must be a study id, not '" + *studyText + "' (see `hindsight study list`)");
        }
        StudyStore studies(db);
        const auto study = studies.study(studyId);
        if (!study)
            throw Error(path + ": no study " + std::to_string(studyId) + " (see `hindsight study list " + path + "`)");
        addHumanResults(report, humanStudyResults(*study, studies.trials(studyId), ro.stats));
    }
    report.requests = job->summary.value("requests", int64_t(0));
    report.cacheHits = job->summary.value("cache_hits", int64_t(0));
    const std::string format = args.flag("json") ? "json" : args.value("format", "md");
    std::cout << formatEvalReport(report, format);
    return 0;
}

const bool registered = registerCommand({"eval-report", "an evaluation run's results table (md, csv, latex, json)",
                                         kUsage, &runEvalReportCmd});

} // namespace
} // namespace hw::cli
