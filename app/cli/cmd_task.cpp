// hindsight task: the project's task definitions (core/data/task_json.h): list, show, export and
// import them as JSON files, and draft a new one from a description with an LLM.
#include "app/cli/args.h"
#include "app/cli/command.h"
#include "app/cli/pipeline_options.h"

#include "core/data/task_json.h"
#include "core/io/atomic_file.h"
#include "core/io/text_util.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/personas.h"
#include "core/pipeline/stage_registry.h"
#include "core/pipeline/task_drafter.h"
#include "app/cli/stage_backends.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <iostream>
#include <sstream>
#include <string>

namespace hw::cli {
namespace {

const std::string kUsage = std::string(R"(usage: hindsight task list PROJECT [--json]
       hindsight task show PROJECT NAME [--json]
       hindsight task export PROJECT NAME -o FILE.json
       hindsight task import PROJECT FILE.json [--replace] [--personas PERSONAS.json]
       hindsight task create PROJECT --from-description TEXT [--name NAME] [-o FILE.json] --endpoint ...
       hindsight task personas PROJECT NAME [--json]
       hindsight task personas PROJECT NAME --propose N --endpoint ... [--seed S] [--json]

A task definition names the agent and user roles, who opens, the turn cap, the reward (what it
measures, its range, whether the user rates it or a judge scores it with a rubric), the question
put to a simulated user at the end, personas and optional few-shot examples. The file format is
described in core/data/task_json.h; `export` writes one to start from.

  import      adds the task in FILE.json; a file with a missing or invalid field is refused with
              the field named, and nothing is written. --replace updates a task of the same name
              (its dialogues keep it). --personas replaces the file's personas with a JSON list
              [{"name", "description"}, ...].
  create      an LLM drafts the whole definition from TEXT (prompt: prompts/task_draft/draft.txt).
              With -o the draft is written to FILE.json for editing (then `task import`);
              without, it is added to the project and printed.
  personas    lists the task's personas with their hidden state (what each keeps from the agent).
              With --propose N an LLM proposes N more (prompts/custom/personas.txt; the task's own
              folder wins), a resumable "personas" job: duplicates of existing personas or of each
              other (same name, or descriptions with word-set Jaccard >= 0.6) are dropped and
              listed, the rest added to the definition in one transaction. A reply that is not a
              JSON array of {"name", "description", "hidden"} fails with the field named and
              nothing written. The same --seed replays the cached reply (nothing new is
              added then); another --seed asks again.
)") + kEndpointOptionsHelp;

std::string fmt(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

bool complete(const Task& t)
{
    try {
        validateTask(t);
        return true;
    } catch (const TaskDefinitionError&) {
        return false;
    }
}

void writeJsonFile(const std::string& path, const nlohmann::json& j)
{
    AtomicFileWriter out(path);
    out.write(j.dump(2) + "\n");
    out.commit();
}

void printTask(const Task& t, int64_t dialogues)
{
    std::cout << t.name << " (" << toString(t.kind) << (t.builtin() ? ", built-in" : "") << ")\n"
              << "  " << t.description << "\n"
              << "  agent: " << t.agentRole << (t.agentRoleDescription.empty() ? "" : " - " + t.agentRoleDescription)
              << "\n"
              << "  user:  " << t.userRole << (t.userRoleDescription.empty() ? "" : " - " + t.userRoleDescription) << "\n"
              << "  opener: " << t.opener << ", turn cap: " << (t.turnCap > 0 ? std::to_string(t.turnCap) : "not set")
              << "\n"
              << "  reward: " << t.rewardName << " in [" << fmt(t.rewardMin) << ", " << fmt(t.rewardMax) << "], "
              << (t.rewardSource == RewardSource::Judge ? "scored by a judge" : "rated by the user") << "\n";
    if (!t.rewardRubric.empty())
        std::cout << "  rubric: " << t.rewardRubric << "\n";
    for (const auto& a : t.rewardAnchors)
        std::cout << "    " << fmt(a.score) << ": " << a.meaning << "\n";
    if (!t.outcomeQuestion.empty())
        std::cout << "  outcome question: " << t.outcomeQuestion << "\n";
    std::cout << "  personas: " << t.personas.size() << (t.builtin() ? " (plus prompts/" + t.name + "/personas.json)" : "")
              << ", examples: " << t.examples.size() << ", dialogues: " << dialogues << "\n";
    for (const auto& p : t.personas)
        std::cout << "    " << p.name << ": " << p.description
                  << (p.hidden.is_object() && !p.hidden.empty() ? "\n      hidden: " + p.hidden.dump() : "") << "\n";
    if (!complete(t))
        std::cout << "  definition incomplete (made by an import): export, fill in and import --replace\n";
}

// `task personas`: list them, or propose more with the personas stage (a resumable job).
int runPersonas(const Args& args, const std::string& project)
{
    const std::string& name = args.positional(2, "NAME");
    Database db = Database::open(project);
    const auto task = DialogueStore(db).task(name);
    if (!task)
        throw Error("no task named '" + name + "' in " + project);
    if (!args.value("propose")) {
        const auto personas = loadPersonas(PromptLibrary(), *task);
        if (args.flag("json")) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& p : personas)
                out.push_back({{"name", p.name}, {"description", p.description}, {"hidden", p.hidden}});
            std::cout << out.dump(2) << "\n";
            return 0;
        }
        for (const auto& p : personas)
            std::cout << p.name << ": " << p.description
                      << (p.hidden.is_object() && !p.hidden.empty() ? "\n  hidden: " + p.hidden.dump() : "") << "\n";
        return 0;
    }
    JobOptions job;
    job.task = name;
    job.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    job.concurrency = static_cast<int>(args.intValue("concurrency", 0));
    job.json = args.flag("json");
    StageDescription stage;
    stage.kind = "personas";
    stage.options = {{"count", static_cast<int>(args.intValue("propose", 8))}};
    fillStageFromArgs(stage, args, job);
    SharedProject shared(db);
    CliProgress progress(!job.json);
    const JobSummary s = runStage(shared, stage, hooksFor(progress));
    progress.finish();
    if (job.json) {
        std::cout << s.toJson().dump() << std::endl;
    } else {
        std::cout << summaryLine(s) << "\n";
        for (const auto& a : s.extra.value("added", nlohmann::json::array()))
            std::cout << "added persona " << a.get<std::string>() << "\n";
        for (const auto& d : s.extra.value("duplicates", nlohmann::json::array()))
            std::cout << "dropped " << d.value("name", "") << ": duplicates " << d.value("of", "") << " ("
                      << d.value("reason", "") << ")\n";
    }
    const std::string itemError = s.extra.value("item_error", std::string());
    if (!itemError.empty())
        std::cerr << "hindsight task personas: error: " << itemError << "\n";
    if (!s.error.empty())
        std::cerr << "hindsight task personas: error: " << s.error << "\n";
    return s.failed > 0 ? 1 : exitCodeFor(s.status);
}

int runTaskCmd(const std::vector<std::string>& argvIn)
{
    std::vector<std::string> argv = argvIn;
    for (auto& a : argv)
        if (a == "-o")
            a = "--output";
    std::set<std::string> valueOptions = endpointValueOptions();
    valueOptions.insert({"output", "personas", "from-description", "name", "propose", "seed", "concurrency"});
    const Args args(argv, valueOptions, {"json", "replace"});
    const std::string& action = args.positional(0, "list|show|export|import|create|personas");
    const std::string& project = args.positional(1, "PROJECT");

    if (action == "list" || action == "show" || action == "export") {
        Database db = Database::open(project, Database::Mode::ReadOnly);
        DialogueStore store(db);
        if (action == "list") {
            const auto tasks = store.tasks();
            if (args.flag("json")) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& t : tasks)
                    out.push_back(taskToJson(t));
                std::cout << out.dump(2) << "\n";
                return 0;
            }
            for (const auto& t : tasks)
                std::cout << t.name << "  " << toString(t.kind) << "  " << t.agentRole << "/" << t.userRole << "  "
                          << t.rewardName << " [" << fmt(t.rewardMin) << ", " << fmt(t.rewardMax) << "]  "
                          << store.count(t.name) << " dialogues" << (complete(t) ? "" : "  (definition incomplete)")
                          << "\n";
            return 0;
        }
        const std::string& name = args.positional(2, "NAME");
        const auto task = store.task(name);
        if (!task)
            throw Error("no task named '" + name + "' in " + project);
        if (action == "show") {
            if (args.flag("json"))
                std::cout << taskToJson(*task).dump(2) << "\n";
            else
                printTask(*task, store.count(name));
            return 0;
        }
        const auto output = args.value("output");
        if (!output)
            throw Error("missing -o FILE.json");
        writeJsonFile(*output, taskToJson(*task));
        std::cout << "exported task '" << name << "' to " << *output << "\n";
        return 0;
    }

    if (action == "import") {
        const std::string& file = args.positional(2, "FILE.json");
        Task task = parseTaskJson(text::readFile(file), file);
        if (const auto personas = args.value("personas")) {
            task.personas = parsePersonaList(text::readFile(*personas), *personas);
            try {
                validateTask(task);
            } catch (const TaskDefinitionError& e) {
                throw TaskDefinitionError(e.field(), e.problem(), *personas);
            }
        }
        Database db = Database::open(project);
        Transaction tx(db);
        DialogueStore store(db);
        const bool replace = args.flag("replace") && store.taskId(task.name).has_value();
        if (replace)
            store.replaceTask(task);
        else
            store.createTask(task);
        tx.commit();
        std::cout << (replace ? "updated" : "imported") << " task '" << task.name << "' (" << task.personas.size()
                  << " personas, " << task.examples.size() << " examples)\n";
        return 0;
    }

    if (action == "personas")
        return runPersonas(args, project);

    if (action == "create") {
        const auto description = args.value("from-description");
        if (!description)
            throw Error("missing --from-description TEXT");
        const auto profile = endpointFromArgs(args, true);
        const auto output = args.value("output");
        TaskDraftConfig config;
        config.description = *description;
        config.name = args.value("name", "");
        // Open (and migrate) the project first: a draft for a missing project is wasted money.
        Database db = Database::open(project);
        if (!config.name.empty() && DialogueStore(db).taskId(config.name))
            throw Error("a task named '" + config.name + "' already exists in the project");
        LlmClient llm(*profile);
        const TaskDraftResult draft = draftTask(llm, PromptLibrary(), config);
        if (output) {
            writeJsonFile(*output, taskToJson(draft.task));
            std::cout << "drafted task '" << draft.task.name << "' in " << *output
                      << "; edit it, then: hindsight task import " << project << " " << *output << "\n";
            return 0;
        }
        Transaction tx(db);
        DialogueStore store(db);
        store.createTask(draft.task);
        tx.commit();
        std::cout << taskToJson(draft.task).dump(2) << "\n";
        std::cerr << "created task '" << draft.task.name << "'; edit it with `hindsight task export` and "
                  << "`hindsight task import --replace`\n";
        return 0;
    }
    throw Error("unknown action '" + action + "' (expected list, show, export, import, create or personas)");
}

const bool registered = registerCommand({"task", "list, show, import, export and draft task definitions",
                                         kUsage, &runTaskCmd});

} // namespace
} // namespace hw::cli
