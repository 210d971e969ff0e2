// Tasks are data (issue 11): a task definition read and written as JSON with errors that name the
// field, stored in the project (schema v5, older projects keep their built-in tasks), the
// `hindsight task` verbs on real project files, and a definition drafted by an LLM (the fake
// server), a malformed draft refused with nothing written.
#include "core/data/task.h"
#include "core/data/task_json.h"
#include "core/eval/episode_runner.h"
#include "core/io/import.h"
#include "core/io/text_util.h"
#include "core/llm/llm_client.h"
#include "core/pipeline/few_shot_pool.h"
#include "core/pipeline/llm_reward_labeler.h"
#include "core/pipeline/llm_stage_support.h"
#include "core/pipeline/personas.h"
#include "core/pipeline/reward_parser.h"
#include "core/prompts/prompt_library.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/project_file.h"
#include "core/store/schema.h"
#include "core/util/error.h"
#include "support/cli_run.h"
#include "support/fake_llm_server.h"
#include "support/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace hw;
using nlohmann::json;

namespace {

std::string shippedTask(const std::string& name) { return hwtest::sourceDir() + "/resources/tasks/" + name + ".json"; }

json teachingJson() { return json::parse(text::readFile(shippedTask("teaching"))); }

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

// The field a definition error names, or "NO ERROR".
QString fieldOf(const json& j)
{
    try {
        taskFromJson(j);
    } catch (const TaskDefinitionError& e) {
        return QString::fromStdString(e.field());
    }
    return QStringLiteral("NO ERROR");
}

QStringList taskNames(const std::string& project)
{
    auto db = Database::open(project, Database::Mode::ReadOnly);
    QStringList out;
    for (const auto& t : DialogueStore(db).tasks())
        out << QString::fromStdString(t.name);
    return out;
}

} // namespace

class TestTasks : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.filePath(QString::fromStdString(name)).toStdString(); }
    QString qpath(const std::string& name) const { return QString::fromStdString(path(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("HW_CONFIG_DIR", m_dir.filePath(QStringLiteral("config")).toUtf8());
    }

    void builtinsAreCompleteDefinitionsAndRoundTrip()
    {
        for (const Task& t : {Task::counseling(), Task::persuasion()}) {
            QVERIFY(t.builtin());
            validateTask(t);
            const Task back = taskFromJson(taskToJson(t));
            QCOMPARE(back.name, t.name);
            QVERIFY(back.kind == t.kind);
            QCOMPARE(back.rewardMin, t.rewardMin);
            QCOMPARE(back.rewardMax, t.rewardMax);
            QCOMPARE(back.outcomeQuestion, t.outcomeQuestion);
            QCOMPARE(back.rewardAnchors.size(), t.rewardAnchors.size());
            QCOMPARE(taskToJson(back), taskToJson(t));
        }
        // The previous built-in values are unchanged.
        QCOMPARE(Task::counseling().rewardMin, -4.0);
        QCOMPARE(Task::persuasion().rewardMax, 2.0);
        QCOMPARE(Task::persuasion().agentRole, std::string("persuader"));
    }

    void shippedExamplesAreValid()
    {
        for (const std::string name : {"teaching", "travel-agent"}) {
            const Task t = parseTaskJson(text::readFile(shippedTask(name)), name);
            QCOMPARE(t.name, name);
            QVERIFY(t.kind == TaskKind::Custom);
            QVERIFY(t.personas.size() >= 4);
            QVERIFY(!t.examples.empty());
            QCOMPARE(taskFromJson(taskToJson(t)).personas.size(), t.personas.size());
        }
    }

    void badDefinitionNamesTheField_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("field");
        QTest::newRow("missing description") << "del description" << "description";
        QTest::newRow("missing agent role sentence") << "del agent_role.description" << "agent_role.description";
        QTest::newRow("missing reward") << "del reward" << "reward";
        QTest::newRow("missing reward max") << "del reward.max" << "reward.max";
        QTest::newRow("reward min as text") << "set reward.min \"zero\"" << "reward.min";
        QTest::newRow("empty range") << "set reward.max 0" << "reward.max";
        QTest::newRow("anchor above range") << "set reward.anchors.1.score 7" << "reward.anchors[1].score";
        QTest::newRow("anchor below range") << "set reward.anchors.0.score -1" << "reward.anchors[0].score";
        QTest::newRow("example reward out of range") << "set examples.0.reward 9" << "examples[0].reward";
        QTest::newRow("example role") << "set examples.1.turns.0.role \"narrator\"" << "examples[1].turns[0].role";
        QTest::newRow("unknown reward source") << "set reward.source \"vibes\"" << "reward.source";
        QTest::newRow("opener") << "set opener \"both\"" << "opener";
        QTest::newRow("turn cap zero") << "set turn_cap 0" << "turn_cap";
        QTest::newRow("turn cap fraction") << "set turn_cap 2.5" << "turn_cap";
        QTest::newRow("bad name") << "set name \"Teach Me!\"" << "name";
        QTest::newRow("reserved kind") << "set kind \"persuasion\"" << "kind";
        QTest::newRow("missing outcome question") << "del outcome_question" << "outcome_question";
        QTest::newRow("personas not JSON") << "set personas \"[{name: oops\"" << "personas";
        QTest::newRow("personas not a list") << "set personas {\"a\": 1}" << "personas";
        QTest::newRow("persona without description") << "del personas.2.description" << "personas[2].description";
        QTest::newRow("persona twice") << "set personas.1.name \"math-anxious\"" << "personas[1].name";
        QTest::newRow("not an object") << "root [1, 2]" << "(top level)";
    }

    void badDefinitionNamesTheField()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, field);
        json j = teachingJson();
        QCOMPARE(fieldOf(j), QStringLiteral("NO ERROR"));
        const QStringList parts = mutation.split(' ');
        const QString op = parts[0];
        if (op == "root") {
            j = json::parse(mutation.mid(5).toStdString());
        } else {
            const QStringList keys = parts[1].split('.');
            json* at = &j;
            for (int i = 0; i + 1 < keys.size(); ++i) {
                bool isIndex = false;
                const int n = keys[i].toInt(&isIndex);
                at = isIndex ? &(*at)[static_cast<size_t>(n)] : &(*at)[keys[i].toStdString()];
            }
            bool isIndex = false;
            const int n = keys.last().toInt(&isIndex);
            if (op == "del") {
                if (isIndex)
                    at->erase(static_cast<size_t>(n));
                else
                    at->erase(keys.last().toStdString());
            } else {
                const json value = json::parse(parts.mid(2).join(' ').toStdString());
                if (isIndex)
                    (*at)[static_cast<size_t>(n)] = value;
                else
                    (*at)[keys.last().toStdString()] = value;
            }
        }
        QCOMPARE(fieldOf(j), field);
    }

    void errorMessagesSayWhatIsWrong()
    {
        json j = teachingJson();
        j["agent_role"].erase("description");
        try {
            parseTaskJson(j.dump(), "teach.json");
            QFAIL("accepted");
        } catch (const TaskDefinitionError& e) {
            QCOMPARE(QString(e.what()), QStringLiteral("teach.json: agent_role.description: missing field "
                                                       "'agent_role.description'"));
        }
        j = teachingJson();
        j["reward"]["anchors"][3]["score"] = 7;
        try {
            taskFromJson(j);
            QFAIL("accepted");
        } catch (const TaskDefinitionError& e) {
            QCOMPARE(QString(e.what()), QStringLiteral("reward.anchors[3].score: 7 is outside the reward range [0, 5]"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, parseTaskJson("{\"name\": ", "broken.json"));
    }

    void storedInTheProjectAndReopened()
    {
        const std::string p = path("store.hwb");
        {
            auto db = createProject(p);
            DialogueStore store(db);
            store.createTask(parseTaskJson(text::readFile(shippedTask("travel-agent")), "travel-agent"));
            // A second task of the same name is refused; nothing changes.
            QVERIFY_THROWS_EXCEPTION(Error, store.createTask(*store.task("travel-agent")));
        }
        auto db = Database::open(p);
        DialogueStore store(db);
        const auto t = store.task("travel-agent");
        QVERIFY(t);
        QCOMPARE(t->personas.size(), size_t(5));
        QCOMPARE(t->turnCap, 14);
        QCOMPARE(t->opener, std::string("user"));
        QCOMPARE(taskToJson(*t), teachingJson().is_object() ? taskToJson(parseTaskJson(text::readFile(shippedTask("travel-agent")), "x"))
                                                            : json());
        const auto counseling = store.task("counseling");
        QVERIFY(counseling);
        QCOMPARE(taskToJson(*counseling), taskToJson(Task::counseling()));
        // A bare custom task, as an import of an unknown task makes it, still works.
        Task bare;
        bare.name = "bare";
        bare.agentRole = "a";
        bare.userRole = "b";
        bare.rewardName = "r";
        store.ensureTask(bare);
        QCOMPARE(store.task("bare")->agentRole, std::string("a"));
        QVERIFY(store.task("bare")->outcomeQuestion.empty());
    }

    void version4ProjectKeepsItsBuiltinTasks()
    {
        const std::string p = path("v4.hwb");
        {
            auto db = createProject(p);
            // Back to the version 4 layout: no definition column.
            db.exec("DROP TABLE study_trial_sessions; DROP TABLE study_trials; DROP TABLE study_participants; "
                    "DROP TABLE studies"); // version 6
            db.exec("ALTER TABLE tasks DROP COLUMN definition; PRAGMA user_version = 4");
        }
        {
            // Read-only use of an older project is refused, as for every older schema.
            QVERIFY_THROWS_EXCEPTION(Error, Database::open(p, Database::Mode::ReadOnly));
        }
        auto db = Database::open(p);
        QCOMPARE(db.schemaVersion(), currentSchemaVersion());
        DialogueStore store(db);
        QCOMPARE(taskToJson(*store.task("counseling")), taskToJson(Task::counseling()));
        QCOMPARE(taskToJson(*store.task("persuasion")), taskToJson(Task::persuasion()));
    }

    void cliListShowExportImport()
    {
        const QString project = qpath("cli.hwb");
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);
        auto r = hwtest::hindsight({"task", "import", project, QString::fromStdString(shippedTask("teaching"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("imported task 'teaching'"));
        r = hwtest::hindsight({"task", "list", project});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("counseling") && r.out.contains("persuasion") && r.out.contains("teaching"));
        r = hwtest::hindsight({"task", "show", project, "teaching"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("student understanding at the end") && r.out.contains("personas: 5"), qPrintable(r.out));
        r = hwtest::hindsight({"task", "show", project, "nope"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("no task named 'nope'"));

        // Export, edit, re-import as another task and as a replacement.
        const QString exported = qpath("teaching-export.json");
        QCOMPARE(hwtest::hindsight({"task", "export", project, "teaching", "-o", exported}).exitCode, 0);
        json j = json::parse(text::readFile(exported.toStdString()));
        QCOMPARE(taskFromJson(j).personas.size(), size_t(5));
        r = hwtest::hindsight({"task", "import", project, exported});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("a task named 'teaching' already exists"), qPrintable(r.err));
        j["turn_cap"] = 8;
        writeText(exported.toStdString(), j.dump(2));
        r = hwtest::hindsight({"task", "import", project, exported, "--replace"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("updated task 'teaching'"));
        r = hwtest::hindsight({"task", "show", project, "teaching", "--json"});
        QCOMPARE(json::parse(r.out.toStdString())["turn_cap"], json(8));
        // The built-ins export as complete definitions too.
        r = hwtest::hindsight({"task", "show", project, "persuasion", "--json"});
        QCOMPARE(taskFromJson(json::parse(r.out.toStdString())).outcomeQuestion, Task::persuasion().outcomeQuestion);
    }

    void cliImportRefusesBadFilesAndWritesNothing()
    {
        const QString project = qpath("bad.hwb");
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);
        const QStringList before = taskNames(project.toStdString());

        json j = teachingJson();
        j["user_role"].erase("name");
        writeText(path("missing.json"), j.dump());
        auto r = hwtest::hindsight({"task", "import", project, qpath("missing.json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("missing.json: user_role.name: missing field 'user_role.name'"), qPrintable(r.err));

        j = teachingJson();
        j["reward"]["anchors"][0]["score"] = -3;
        writeText(path("range.json"), j.dump());
        r = hwtest::hindsight({"task", "import", project, qpath("range.json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("reward.anchors[0].score: -3 is outside the reward range [0, 5]"), qPrintable(r.err));

        writeText(path("personas.txt"), "name: skeptical\nname: caring\n");
        r = hwtest::hindsight({"task", "import", project, QString::fromStdString(shippedTask("teaching")), "--personas",
                               qpath("personas.txt")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("personas.txt: personas: not a JSON list"), qPrintable(r.err));

        writeText(path("truncated.json"), text::readFile(shippedTask("teaching")).substr(0, 300));
        r = hwtest::hindsight({"task", "import", project, qpath("truncated.json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("truncated.json"), qPrintable(r.err));

        QCOMPARE(taskNames(project.toStdString()), before);

        // A good personas file replaces the task file's personas.
        writeText(path("personas.json"), R"([{"name": "one", "description": "First."}, {"name": "two", "description": "Second."}])");
        r = hwtest::hindsight({"task", "import", project, QString::fromStdString(shippedTask("travel-agent")), "--personas",
                               qpath("personas.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("2 personas"));
    }

    void cliDraftsATaskFromADescription()
    {
        const QString project = qpath("draft.hwb");
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);
        hwtest::FakeLlmServer server;
        json draft = teachingJson();
        draft["name"] = "tutoring";
        // The LLM wraps its JSON in prose and a code fence; the drafter reads the object.
        server.enqueue(hwtest::FakeReply::text("Here is the definition:\n```json\n" + draft.dump(2) + "\n```\n"));
        const QStringList endpoint = {"--endpoint", QString::fromStdString(server.baseUrl()), "--model", "fake-model"};
        auto r = hwtest::hindsight(QStringList{"task", "create", project, "--from-description",
                                               "Explain a statistics concept to a student whose background is hidden."}
                                   + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(server.answered(), int64_t(1));
        const std::string prompt = server.calls().at(0).prompt();
        QVERIFY(prompt.find("Explain a statistics concept") != std::string::npos);
        QVERIFY(prompt.find("\"outcome_question\"") != std::string::npos); // the format example
        QVERIFY(taskNames(project.toStdString()).contains("tutoring"));
        {
            auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
            const auto t = DialogueStore(db).task("tutoring");
            QVERIFY(t);
            QVERIFY(t->kind == TaskKind::Custom);
            QCOMPARE(t->personas.size(), size_t(5));
        }

        // --name and -o: the draft goes to a file for editing, the project is untouched.
        draft["name"] = "whatever-the-llm-says";
        server.enqueue(hwtest::FakeReply::text(draft.dump()));
        r = hwtest::hindsight(QStringList{"task", "create", project, "--from-description", "Another one.", "--name",
                                          "travel", "-o", qpath("travel-draft.json")}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parseTaskJson(text::readFile(path("travel-draft.json")), "x").name, std::string("travel"));
        QVERIFY(!taskNames(project.toStdString()).contains("travel"));

        // Malformed drafts: the error names the field and nothing is written.
        const QStringList before = taskNames(project.toStdString());
        struct Bad {
            std::string reply;
            QString expected;
        };
        json noRubric = teachingJson();
        noRubric["name"] = "bad1";
        noRubric["reward"].erase("rubric");
        json badPersonas = teachingJson();
        badPersonas["name"] = "bad2";
        badPersonas["personas"] = "a skeptical student, a curious one";
        json outOfRange = teachingJson();
        outOfRange["name"] = "bad3";
        outOfRange["reward"]["anchors"][2]["score"] = 50;
        const std::vector<Bad> bad = {
            {noRubric.dump(), "LLM draft: reward.rubric: missing field 'reward.rubric'"},
            {badPersonas.dump(), "LLM draft: personas: not a JSON list"},
            {outOfRange.dump(), "LLM draft: reward.anchors[2].score: 50 is outside the reward range [0, 5]"},
            {"I'm sorry, I cannot help with that.", "LLM draft: (top level): the reply holds no JSON object"},
            {"{\"name\": \"x\", \"description\": ", "LLM draft: (top level): the reply holds no JSON object"},
            {"{\"name\": \"x\", \"description\": }", "LLM draft: (top level): not valid JSON"},
        };
        for (const Bad& b : bad) {
            server.enqueue(hwtest::FakeReply::text(b.reply));
            r = hwtest::hindsight(QStringList{"task", "create", project, "--from-description", "Something."} + endpoint);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(b.expected), qPrintable(r.err));
        }
        QCOMPARE(taskNames(project.toStdString()), before);
    }

    void customTaskPromptsAreFilledFromTheDefinition()
    {
        const Task t = parseTaskJson(text::readFile(shippedTask("teaching")), "teaching");
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        // What each stage adds to the task's values (core/pipeline, core/eval, core/chat).
        const std::map<std::string, std::map<std::string, std::string>> extra = {
            {"controller", {{"dialogue", "AI: a\n"}, {"count", "3"}}},
            {"forward", {{"examples", "x"}, {"prefix", "AI: a\n"}, {"turn_budget", "4"}}},
            {"forward_hard", {{"examples", "x"}, {"prefix", "AI: a\n"}, {"turn_budget", "4"}}},
            {"imagine", {{"persona_name", "p"}, {"persona_description", "d"}, {"min_turns", "4"}, {"max_turns", "8"},
                         {"persona_hidden", "  - knowledge: k\n"}, {"target_outcome", "3"}}},
            {"personas", {{"count", "4"}, {"existing_personas", "none\n"}, {"hidden_fields", "knowledge"}}},
            {"critique", {{"persona_name", "p"}, {"persona_description", "d"}, {"persona_hidden", "  - knowledge: k\n"},
                          {"target_outcome", "3"}, {"dialogue", "AI: a\n"}}},
            {"reward", {{"examples", "x"}, {"dialogue", "AI: a\n"}}},
            {"simulator", {{"persona", "p"}, {"persona_name", "p"}, {"dialogue", "AI: a\n"}}},
            {"simulator_decision", {{"persona", "p"}, {"persona_name", "p"}, {"dialogue", "AI: a\n"}}},
            {"chat_plain", {{"context", ""}, {"dialogue", "AI: a\n"}}},
            {"chat_cot", {{"context", ""}, {"dialogue", "AI: a\n"}}},
            {"chat_proactive_cot", {{"context", ""}, {"dialogue", "AI: a\n"}}},
        };
        for (const auto& [name, values] : extra) {
            const PromptTemplate tpl = prompts.load(t, name);
            QCOMPARE(tpl.folder, std::string("custom"));
            auto all = taskValues(t);
            all.insert(values.begin(), values.end());
            std::string text;
            for (const auto& m : tpl.render(all)) // throws when a placeholder has no value
                text += m.content;
            QVERIFY2(text.find("teacher") != std::string::npos, name.c_str());
            QVERIFY2(text.find("{{") == std::string::npos, name.c_str());
        }
        const std::string reward = prompts.load(t, "reward").render([&] {
            auto v = taskValues(t);
            v["examples"] = "";
            v["dialogue"] = "";
            return v;
        }())[1].content;
        QVERIFY(reward.find(t.rewardRubric) != std::string::npos);
        QVERIFY(reward.find("- 4: the student understood") != std::string::npos);
        QVERIFY(reward.find("Reward: <a number from 0 to 5>") != std::string::npos);

        // A file under prompts/<task>/ wins over the generic template.
        QTemporaryDir override;
        QVERIFY(QDir(override.path()).mkpath("teaching"));
        writeText(override.filePath("teaching/reward.txt").toStdString(), "Score {{dialogue}}\nReward: <0-5>");
        const PromptLibrary withOverride({override.path().toStdString(), PromptLibrary::builtinDir()});
        QCOMPARE(withOverride.load(t, "reward").folder, std::string("teaching"));
        QCOMPARE(withOverride.load(t, "controller").folder, std::string("custom"));
        // The built-ins still read their own folders.
        QCOMPARE(prompts.load(Task::persuasion(), "reward").folder, std::string("persuasion"));

        // Personas come from the definition when the task has no personas.json.
        const auto personas = loadPersonas(prompts, t);
        QCOMPARE(personas.size(), t.personas.size());
        QCOMPARE(personas[1].name, std::string("confident-misconception"));
    }

    void evaluationFollowsTheDefinition()
    {
        const Task t = parseTaskJson(text::readFile(shippedTask("teaching")), "teaching");
        QCOMPARE(defaultMaxTurns(t), 6); // turn cap 12 = 6 rounds of agent and user
        // The built-ins keep their caps.
        QCOMPARE(defaultMaxTurns(Task::counseling()), 15);
        QCOMPARE(defaultMaxTurns(Task::persuasion()), 10);
    }

    void taskRewardParser()
    {
        QCOMPARE(*parseTaskReward("The student got it.\nReward: 4", 0, 5).value, 4.0);
        QCOMPARE(*parseTaskReward("**Reward:** 3.5/5", 0, 5).value, 3.5);
        QCOMPARE(*parseTaskReward("Reward: -2 (worse)", -4, 4).value, -2.0);
        QVERIFY(!parseTaskReward("Reward: 7", 0, 5).value);
        QVERIFY(parseTaskReward("Reward: 7", 0, 5).error.find("outside the task's range (0 to 5)") != std::string::npos);
        QVERIFY(!parseTaskReward("Reward: 3-4", 0, 5).value);
        QVERIFY(!parseTaskReward("Reward: 3/10", 0, 5).value);
        QVERIFY(!parseTaskReward("Reward: 2\nReward: 3", 0, 5).value);
        QVERIFY(!parseTaskReward("I think it went well.", 0, 5).value);
    }

    void llmRewardLabellerScoresACustomTask()
    {
        const std::string p = path("label.hwb");
        {
            auto db = createProject(p);
            DialogueStore(db).createTask(parseTaskJson(text::readFile(shippedTask("teaching")), "teaching"));
            const auto r = importFiles(db, ImportFormat::Jsonl, {hwtest::sourceDir() + "/resources/tasks/teaching.jsonl"});
            QCOMPARE(r.inserted, int64_t(12));
        }
        auto db = Database::open(p);
        DialogueStore store(db);
        const Task t = *store.task("teaching");
        QCOMPARE(t.personas.size(), size_t(5)); // the import kept the definition
        hwtest::FakeLlmServer server([](const hwtest::FakeCall& call) {
            const std::string prompt = call.prompt();
            if (prompt.find("Reward: <a number from 0 to 5>") != std::string::npos)
                return hwtest::FakeReply::text("The student answered the check question.\nReward: 4");
            return hwtest::FakeReply::text("?");
        });
        EndpointProfile profile;
        profile.baseUrl = server.baseUrl();
        profile.model = "fake-model";
        LlmClient client(profile);
        const PromptLibrary prompts({PromptLibrary::builtinDir()});
        LlmRewardLabeler labeler(client, prompts, FewShotPool::fromProject(db, "teaching"));
        Dialogue target = *store.get(*store.findByUid("teaching", "demo-teaching-012"));
        StageContext ctx;
        ctx.seed = 3;
        const RewardResult r = labeler.label(t, target, ctx);
        QVERIFY2(r.ok, r.error.c_str());
        QCOMPARE(*r.value, 4.0);
        QCOMPARE(r.provenance["prompt"], json("custom/reward.txt"));
        const std::string prompt = server.calls().back().prompt();
        QVERIFY(prompt.find(t.rewardRubric) != std::string::npos);
        QVERIFY(prompt.find("Example 1:") != std::string::npos); // the definition's own examples first
        QVERIFY(prompt.find("Example 5:") != std::string::npos); // then the project's labelled ones
        QVERIFY(prompt.find("Example 6:") == std::string::npos);

        // An answer outside the reward range is a failed item, not a guess.
        server.setResponder([](const hwtest::FakeCall&) { return hwtest::FakeReply::text("Reward: 9"); });
        ctx.seed = 4;
        const RewardResult bad = labeler.label(t, target, ctx);
        QVERIFY(!bad.ok);
        QVERIFY2(bad.error.find("outside the task's range") != std::string::npos, bad.error.c_str());

        // A bare custom task (made by an import) has no rubric: a clear error, not a made-up reward.
        Task bare;
        bare.name = "bare";
        bare.agentRole = "agent";
        bare.userRole = "user";
        bare.rewardName = "reward";
        QVERIFY_THROWS_EXCEPTION(StageError, labeler.label(bare, target, ctx));
    }
};

QTEST_APPLESS_MAIN(TestTasks)
#include "tst_core_tasks.moc"
