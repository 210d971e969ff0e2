// The imagination engine of the zero-shot "imagined conversations" method (issue 11), on real
// project files through the CLI with the fake LLM server: a task drafted from a description,
// personas with hidden state proposed (a duplicate dropped), dialogues imagined towards target
// outcomes spread over the reward range, critiqued (keep, rewrite, reject: the rejected one left
// out downstream), labelled from the rubric, aggregated with the originals and a tiny ILQL run;
// the lineage of a dialogue; and bad input (persona reply not JSON or lacking a field, critique
// reply malformed, out-of-range hidden intensity) refused with the field named, nothing written.
#include "core/data/task.h"
#include "core/data/task_json.h"
#include "core/io/text_util.h"
#include "core/pipeline/critique_job.h"
#include "core/pipeline/imagine_job.h"
#include "core/pipeline/persona_proposal.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/store/imagined_dialogue.h"
#include "core/util/error.h"
#include "support/cli_run.h"
#include "support/fake_llm_server.h"
#include "support/test_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <fstream>
#include <memory>
#include <regex>

using namespace hw;
using nlohmann::json;

namespace {

std::string shippedTask(const std::string& name) { return hwtest::sourceDir() + "/resources/tasks/" + name + ".json"; }
json teachingJson() { return json::parse(text::readFile(shippedTask("teaching"))); }

void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The error message of `fn`, or "NO ERROR".
template <typename Fn>
std::string errorOf(Fn fn)
{
    try {
        fn();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "NO ERROR";
}

bool has(const std::string& prompt, const char* s) { return prompt.find(s) != std::string::npos; }

// The number after "The outcome this conversation reaches: " in an imagine prompt ("" when none).
std::string targetIn(const std::string& prompt)
{
    std::smatch m;
    static const std::regex re("The outcome this conversation reaches: ([-0-9.]+) on");
    return std::regex_search(prompt, m, re) ? m[1].str() : "";
}

struct Imagined {
    int64_t id = 0;
    std::string uid;
    json metadata;
    std::vector<Turn> turns;
    std::optional<double> reward;
};

std::vector<Imagined> imagined(const std::string& project, const std::string& task)
{
    auto db = Database::open(project, Database::Mode::ReadOnly);
    DialogueStore store(db);
    std::vector<Imagined> out;
    Statement st(db, "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND d.source = "
                     "'imagined' ORDER BY d.id");
    st.bind(1, task);
    while (st.step()) {
        const auto d = store.get(st.int64(0));
        out.push_back({d->id, d->uid, d->metadata, d->turns, d->reward});
    }
    return out;
}

} // namespace

class TestImagination : public QObject {
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

    void personaHiddenStateIsReadStrictly()
    {
        json j = teachingJson();
        j["personas"][0]["hidden"] = {{"knowledge", "knows the mean"}, {"willingness", "low"}};
        const Task t = taskFromJson(j);
        QCOMPARE(t.personas[0].hidden["knowledge"], json("knows the mean"));
        QCOMPARE(taskFromJson(taskToJson(t)).personas[0].hidden, t.personas[0].hidden);
        QVERIFY(t.personas[1].hidden.empty());
        QVERIFY(!taskToJson(t)["personas"][1].contains("hidden")); // none written when empty

        j["personas"][2]["hidden"] = {{"initial_intensity", 9}};
        QCOMPARE(errorOf([&] { taskFromJson(j); }), std::string("personas[2].hidden.initial_intensity: 9 is outside 1..5"));
        j["personas"][2]["hidden"] = {{"initial_intensity", "high"}};
        QVERIFY(errorOf([&] { taskFromJson(j); }).find("personas[2].hidden.initial_intensity: expected a whole number")
                == 0);
        j["personas"][2]["hidden"] = "shy";
        QCOMPARE(errorOf([&] { taskFromJson(j); }), std::string("personas[2].hidden: expected a JSON object, found string"));
        j["personas"][2]["hidden"] = {{"initial_intensity", 3}};
        QCOMPARE(taskFromJson(j).personas[2].hidden["initial_intensity"], json(3));
    }

    void outOfRangeIntensityInATaskFileIsRefused()
    {
        const QString project = qpath("refuse.hwb");
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);
        json j = teachingJson();
        j["personas"][2]["hidden"] = {{"initial_intensity", 9}};
        writeText(path("bad-intensity.json"), j.dump(2));
        const auto r = hwtest::hindsight({"task", "import", project, qpath("bad-intensity.json")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("bad-intensity.json: personas[2].hidden.initial_intensity: 9 is outside 1..5"),
                 qPrintable(r.err));
        auto db = Database::open(project.toStdString(), Database::Mode::ReadOnly);
        QVERIFY(!DialogueStore(db).task("teaching"));
    }

    void personaRepliesAreParsedAndDeduplicated()
    {
        const std::string request = "personas request 'propose'";
        const auto ps = parsePersonaReply(
            "Here you go:\n```json\n[{\"name\": \"Rushed Crammer!\", \"description\": \"Has one night left.\", "
            "\"hidden\": {\"knowledge\": \"none\"}}]\n```",
            request);
        QCOMPARE(ps.size(), size_t(1));
        QCOMPARE(ps[0].name, std::string("rushed-crammer"));
        QCOMPARE(ps[0].hidden["knowledge"], json("none"));
        QCOMPARE(errorOf([&] { parsePersonaReply("I cannot think of any.", request); }),
                 request + ": reply: the reply holds no JSON array (expected a JSON array of personas)");
        QVERIFY(errorOf([&] { parsePersonaReply(R"([{"name": "a", "description": "b"}])", request); })
                    .find(request + ": reply[0].hidden: missing field") == 0);
        QCOMPARE(errorOf([&] {
                     parsePersonaReply(R"([{"name": "a", "description": "b", "hidden": {}}, {"name": "c", "hidden": {}}])",
                                       request);
                 }),
                 request + ": reply[1].description: missing field (text)");
        QCOMPARE(errorOf([&] {
                     parsePersonaReply(R"([{"name": "a", "description": "b", "hidden": {"initial_intensity": 0}}])", request);
                 }),
                 request + ": reply[0].hidden.initial_intensity: 0 is outside 1..5");

        QCOMPARE(descriptionJaccard("a b c d", "a b c d"), 1.0);
        QCOMPARE(descriptionJaccard("a b", "c d"), 0.0);
        const std::vector<TaskPersona> existing = {{"math-anxious", "Freezes when numbers appear.", json::object()}};
        const std::vector<TaskPersona> proposed = {
            {"Math_Anxious", "Someone else entirely.", json::object()},                       // same normalised name
            {"night-owl", "Studies late at night and forgets the basics of averages.", json::object()},
            {"owl-at-night", "Studies late at night and forgets the basics of averages!", json::object()}, // Jaccard 1
            {"show-off", "Thinks they know statistics better than the teacher.", json::object()}};
        const PersonaDedup d = dedupePersonas(existing, proposed);
        QCOMPARE(d.kept.size(), size_t(2));
        QCOMPARE(d.kept[0].name, std::string("night-owl"));
        QCOMPARE(d.kept[1].name, std::string("show-off"));
        QCOMPARE(d.duplicates.size(), size_t(2));
        QCOMPARE(d.duplicates[0].of, std::string("math-anxious"));
        QCOMPARE(d.duplicates[0].reason, std::string("same name"));
        QCOMPARE(d.duplicates[1].of, std::string("night-owl"));
        QVERIFY(d.duplicates[1].reason.find("similar description") == 0);
    }

    void targetsAreStratifiedOverTheRewardRange()
    {
        const Task t = taskFromJson(teachingJson()); // reward 0..5, anchors 0, 2, 4, 5
        const int n = 5;
        for (int i = 0; i < n; ++i) {
            const ImagineTarget x = imagineTarget(t, i, n, 1000 + static_cast<uint64_t>(i));
            QVERIFY(x.outcome);
            QVERIFY2(*x.outcome >= i && *x.outcome <= i + 1, std::to_string(*x.outcome).c_str()); // bin i of 5
            QVERIFY(!x.anchorMeaning.empty());
        }
        QVERIFY(imagineTarget(t, 0, 5, 1).anchorMeaning.find("as confused as before") != std::string::npos);
        // Same seed, same target: a re-run imagines the same dialogues.
        QCOMPARE(*imagineTarget(t, 2, 5, 9).outcome, *imagineTarget(t, 2, 5, 9).outcome);
        // Counseling: whole intensity steps within [-4, 4].
        for (int i = 0; i < 8; ++i) {
            const double v = *imagineTarget(Task::counseling(), i, 8, 7 + static_cast<uint64_t>(i)).outcome;
            QCOMPARE(v, std::round(v));
            QVERIFY(v >= -4 && v <= 4);
        }
    }

    void critiqueRepliesAreParsedStrictly()
    {
        const std::string rq = "critique request 'c:1'";
        const auto keep = parseCritiqueReply(R"(Verdict: {"verdict": "keep", "problems": []})", rq);
        QCOMPARE(keep.verdict, std::string("keep"));
        const auto rw = parseCritiqueReply(R"({"verdict": "rewrite", "problems": ["agent knew the exam date"],
            "turns": [{"role": "user", "text": "Hi."}, {"role": "agent", "text": "Hello, what is on your mind?"}]})", rq);
        QCOMPARE(rw.turns.size(), size_t(2));
        QVERIFY(rw.turns[1].role == Role::Agent);
        struct Bad {
            const char* reply;
            std::string expected;
        };
        const std::vector<Bad> bad = {
            {"Looks fine to me.", rq + ": reply: the reply holds no JSON object"},
            {R"({"verdict": "maybe", "problems": []})", rq + ": reply.verdict: 'maybe' is not keep, rewrite or reject"},
            {R"({"problems": []})", rq + ": reply.verdict: missing field"},
            {R"({"verdict": "keep"})", rq + ": reply.problems: missing field"},
            {R"({"verdict": "keep", "problems": [3]})", rq + ": reply.problems[0]: expected text, found number"},
            {R"({"verdict": "rewrite", "problems": ["x"]})", rq + ": reply.turns: missing field"},
            {R"({"verdict": "rewrite", "problems": [], "turns": [{"role": "narrator", "text": "x"}]})",
             rq + ": reply.turns[0].role: 'narrator' is not agent or user"},
            {R"({"verdict": "rewrite", "problems": [], "turns": [{"role": "user", "text": ""}]})",
             rq + ": reply.turns[0].text: must not be empty"},
            {R"({"verdict": "rewrite", "problems": [], "turns": [{"role": "user", "text": "a"}]})",
             rq + ": reply.turns: a rewrite needs turns of both the agent and the user"},
        };
        for (const Bad& b : bad) {
            const std::string e = errorOf([&] { parseCritiqueReply(b.reply, rq); });
            QVERIFY2(e.find(b.expected) == 0, (e + " | expected: " + b.expected).c_str());
        }
    }

    // The whole method from the command line.
    void imaginedConversationsEndToEnd()
    {
        const QString project = qpath("imagine.hwb");
        const std::string p = project.toStdString();
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);

        // The fake LLM: recognises each prompt by the reply format it asks for.
        auto critiques = std::make_shared<std::atomic<int>>(0);
        auto critiqueMode = std::make_shared<std::atomic<int>>(0); // 0 malformed, 1 keep/rewrite/reject
        auto personaReply = std::make_shared<std::string>();
        auto personaMutex = std::make_shared<std::mutex>();
        hwtest::FakeLlmServer server([=](const hwtest::FakeCall& call) {
            const std::string prompt = call.prompt();
            if (has(prompt, "Reply with only a JSON array")) {
                std::lock_guard<std::mutex> lock(*personaMutex);
                return hwtest::FakeReply::text(*personaReply);
            }
            if (has(prompt, "Reply with only a JSON object")) {
                if (*critiqueMode == 0)
                    return hwtest::FakeReply::text(R"({"verdict": "fine", "problems": []})");
                const int n = (*critiques)++;
                if (n == 0)
                    return hwtest::FakeReply::text(R"({"verdict": "keep", "problems": []})");
                if (n == 1)
                    return hwtest::FakeReply::text(
                        "```json\n{\"verdict\": \"rewrite\", \"problems\": [\"the teacher knew the student had one night left "
                        "without being told\"], \"turns\": [{\"role\": \"user\", \"text\": \"I have a test and medians "
                        "confuse me.\"}, {\"role\": \"agent\", \"text\": \"When is the test, and what do you know so "
                        "far?\"}, {\"role\": \"user\", \"text\": \"Tomorrow. I only know the mean.\"}, {\"role\": "
                        "\"agent\", \"text\": \"Then sort the numbers and take the middle one: that is the median.\"}]}\n```");
                return hwtest::FakeReply::text(
                    R"({"verdict": "reject", "problems": ["the student gives up for no reason the persona has"]})");
            }
            if (has(prompt, "Write only the conversation")) {
                const std::string target = targetIn(prompt);
                return hwtest::FakeReply::text("H: I have a test tomorrow and I do not get medians.\n"
                                               "AI: What do you already know about averages?\n"
                                               "H: Only the mean, I think.\n"
                                               "AI: The median is the middle value once the numbers are sorted.\n"
                                               "H: So that is how I would rate it: "
                                               + (target.empty() ? std::string("unsure") : target) + ".");
            }
            if (has(prompt, "Reward: <a number from 0 to 5>"))
                return hwtest::FakeReply::text("The student followed most of it.\nReward: 3");
            return hwtest::FakeLlmServer::pipelineResponder(call); // controller, forward model
        });
        const QStringList endpoint = {"--endpoint", QString::fromStdString(server.baseUrl()), "--model", "fake-model"};

        // 1. The task, drafted from a description.
        server.enqueue(hwtest::FakeReply::text("```json\n" + teachingJson().dump(2) + "\n```"));
        auto r = hwtest::hindsight(QStringList{"task", "create", project, "--from-description",
                                               "A teacher explains the median to a student whose background is hidden.",
                                               "--name", "teaching"}
                                   + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // Its labelled originals (what aggregate builds on).
        r = hwtest::hindsight({"import", project, "--format", "jsonl",
                               QString::fromStdString(hwtest::sourceDir() + "/resources/tasks/teaching.jsonl")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // 2. Personas with hidden state; one duplicate (by name) of an existing persona is dropped.
        *personaReply = R"([
            {"name": "Rushed Crammer", "description": "Has one night before the exam and wants a shortcut, not an explanation.",
             "hidden": {"knowledge": "knows only the mean", "preferences": "short answers", "willingness": "impatient"}},
            {"name": "Math Anxious", "description": "Panics at formulas.", "hidden": {"knowledge": "little"}},
            {"name": "proud-engineer", "description": "An engineer who is sure the median is just another word for the mean.",
             "hidden": {"knowledge": "confuses median and mean", "preferences": "proof by example", "willingness": "proud"}}
        ])";
        r = hwtest::hindsight(QStringList{"task", "personas", project, "teaching", "--propose", "3", "--json"} + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        json s = json::parse(r.out.toStdString());
        QCOMPARE(s["status"], json("done"));
        QCOMPARE(s["added"], json({"rushed-crammer", "proud-engineer"}));
        QCOMPARE(s["duplicates"].size(), size_t(1));
        QCOMPARE(s["duplicates"][0]["name"], json("math-anxious"));
        QCOMPARE(s["duplicates"][0]["of"], json("math-anxious"));
        QVERIFY(server.calls().back().prompt().find("math-anxious:") != std::string::npos); // told what exists
        {
            auto db = Database::open(p, Database::Mode::ReadOnly);
            const Task t = *DialogueStore(db).task("teaching");
            QCOMPARE(t.personas.size(), size_t(7));
            QCOMPARE(t.personas[5].name, std::string("rushed-crammer"));
            QCOMPARE(t.personas[5].hidden["knowledge"], json("knows only the mean"));
        }
        r = hwtest::hindsight({"task", "show", project, "teaching"});
        QVERIFY2(r.out.contains("rushed-crammer: Has one night") && r.out.contains("\"willingness\":\"impatient\""),
                 qPrintable(r.out));

        // A persona reply that is not JSON, or lacks a field: the item fails naming the request and
        // field, and the definition is unchanged.
        for (const auto& [reply, expected] : std::vector<std::pair<std::string, std::string>>{
                 {"Here are some ideas: a shy student, a bored one.", "reply: the reply holds no JSON array"},
                 {R"([{"name": "shy", "description": "Says little."}])", "reply[0].hidden: missing field"}}) {
            {
                std::lock_guard<std::mutex> lock(*personaMutex);
                *personaReply = reply;
            }
            r = hwtest::hindsight(QStringList{"task", "personas", project, "teaching", "--propose", "2", "--seed",
                                              QString::number(expected.size())}
                                  + endpoint);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains("personas request 'propose' for task 'teaching' (llm call "), qPrintable(r.err));
            QVERIFY2(r.err.contains(QString::fromStdString(expected)), qPrintable(r.err));
            auto db = Database::open(p, Database::Mode::ReadOnly);
            QCOMPARE(DialogueStore(db).task("teaching")->personas.size(), size_t(7));
        }

        // 3. Imagined dialogues with target outcomes spread over [0, 5].
        r = hwtest::hindsight(QStringList{"imagine", project, "--task", "teaching", "--persona", "rushed-crammer",
                                          "--per-persona", "3", "--concurrency", "1", "--json", "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto dialogues = imagined(p, "teaching");
        QCOMPARE(dialogues.size(), size_t(3));
        std::vector<double> targets;
        for (const auto& d : dialogues) {
            const json& im = d.metadata["imagined"];
            QCOMPARE(im["persona"], json("rushed-crammer"));
            QCOMPARE(im["persona_hidden"]["willingness"], json("impatient"));
            QVERIFY(im["target_outcome"].is_number());
            QVERIFY(!im["target_anchor"].get<std::string>().empty());
            targets.push_back(im["target_outcome"].get<double>());
            QVERIFY(im["generator"]["llm_call_id"].get<int64_t>() > 0);
        }
        std::sort(targets.begin(), targets.end());
        QVERIFY2(targets[0] < 5.0 / 3 && targets[1] >= 5.0 / 3 && targets[1] <= 10.0 / 3 && targets[2] > 10.0 / 3,
                 json(targets).dump().c_str()); // one per third of the range: failures imagined too
        // The prompt carried the target, its anchor and the hidden state.
        int imaginePrompts = 0;
        for (const auto& c : server.calls()) {
            const std::string pr = c.prompt();
            if (!has(pr, "Write only the conversation"))
                continue;
            ++imaginePrompts;
            QVERIFY(!targetIn(pr).empty());
            QVERIFY(has(pr, "knowledge: knows only the mean"));
            QVERIFY(has(pr, "close to: the student"));
        }
        QCOMPARE(imaginePrompts, 3);

        // 4. Critique. A malformed reply fails each item, naming the request and field; nothing written.
        r = hwtest::hindsight(QStringList{"critique", project, "--task", "teaching", "--concurrency", "1", "--quiet"}
                              + endpoint);
        QCOMPARE(r.exitCode, 0); // failed items are counted, the job is done
        QVERIFY2(r.err.contains(QString::fromStdString("critique request 'c:" + std::to_string(dialogues[0].id)
                                                       + "' of dialogue '" + dialogues[0].uid + "' (llm call ")),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains("reply.verdict: 'fine' is not keep, rewrite or reject"), qPrintable(r.err));
        for (const auto& d : imagined(p, "teaching")) {
            QVERIFY(!d.metadata["imagined"].contains("critique"));
            QCOMPARE(d.turns.size(), size_t(5));
        }
        // Then keep, rewrite, reject (the retry asks again).
        *critiqueMode = 1;
        r = hwtest::hindsight(QStringList{"critique", project, "--task", "teaching", "--concurrency", "1", "--json",
                                          "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        s = json::parse(r.out.toStdString());
        QCOMPARE(s["kept"], json(1));
        QCOMPARE(s["rewritten"], json(1));
        QCOMPARE(s["rejected"], json(1));
        dialogues = imagined(p, "teaching");
        const json& kept = dialogues[0].metadata["imagined"]["critique"];
        QCOMPARE(kept["verdict"], json("keep"));
        QVERIFY(kept["critic"]["llm_call_id"].get<int64_t>() > 0);
        QCOMPARE(kept["critic"]["prompt"], json("custom/critique.txt"));
        const json& rewritten = dialogues[1].metadata["imagined"]["critique"];
        QCOMPARE(rewritten["verdict"], json("rewrite"));
        QCOMPARE(rewritten["problems"].size(), size_t(1));
        QCOMPARE(rewritten["original_turns"].size(), size_t(5));
        QCOMPARE(rewritten["original_turns"][0]["text"], json("I have a test tomorrow and I do not get medians."));
        QCOMPARE(dialogues[1].turns.size(), size_t(4));
        QCOMPARE(dialogues[1].turns[1].text, std::string("When is the test, and what do you know so far?"));
        QVERIFY(dialogues[1].metadata["imagined"].contains("target_outcome")); // the rest is kept
        QVERIFY(isRejectedImagined(dialogues[2].metadata));
        QCOMPARE(dialogues[2].turns.size(), size_t(5)); // kept for reading
        {
            auto db = Database::open(p, Database::Mode::ReadOnly);
            QCOMPARE(db.queryInt64("SELECT n_turns FROM dialogues WHERE id = " + std::to_string(dialogues[1].id)).value_or(0),
                     int64_t(4));
        }

        // 5. Labels from the rubric: the rejected dialogue is not labelled.
        r = hwtest::hindsight(QStringList{"label", project, "--task", "teaching", "--include-imagined", "--json", "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        s = json::parse(r.out.toStdString());
        QCOMPARE(s["items"]["total"], json(2));
        dialogues = imagined(p, "teaching");
        QCOMPARE(*dialogues[0].reward, 3.0);
        QCOMPARE(*dialogues[1].reward, 3.0);
        QVERIFY(!dialogues[2].reward);

        // 6. Aggregate with the imagined dialogues: the rejected one is not in the set.
        r = hwtest::hindsight({"aggregate", project, "--task", "teaching", "--include-imagined", "--k", "2", "--name",
                               "imagined-k2", "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        {
            auto db = Database::open(p, Database::Mode::ReadOnly);
            auto inSet = [&](int64_t id) {
                return db.queryInt64("SELECT count(*) FROM training_set_items i JOIN training_sets s ON s.id = i.set_id "
                                     "WHERE s.name = 'imagined-k2' AND i.dialogue_id = " + std::to_string(id))
                    .value_or(0);
            };
            QCOMPARE(inSet(dialogues[0].id), int64_t(1));
            QCOMPARE(inSet(dialogues[1].id), int64_t(1));
            QCOMPARE(inSet(dialogues[2].id), int64_t(0));
        }
        // Even if a reward were set by hand, a rejected dialogue stays out of training-set presets.
        {
            auto db = Database::open(p);
            DialogueStore(db).setReward(dialogues[2].id, 5.0, "human");
        }
        r = hwtest::hindsight({"trainset", "create", project, "--task", "teaching", "--preset", "ilql-zero-shot", "--name",
                               "zero-shot", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        {
            auto db = Database::open(p, Database::Mode::ReadOnly);
            QCOMPARE(db.queryInt64("SELECT count(*) FROM training_set_items i JOIN training_sets s ON s.id = i.set_id "
                                   "WHERE s.name = 'zero-shot'").value_or(-1),
                     int64_t(2));
        }

        // 7. A tiny ILQL run on the aggregated set.
        const json config = {{"bcSteps", 4},    {"iterations", 1},        {"updatesPerIteration", 4},
                             {"logEvery", 2},   {"checkpointEvery", 0},   {"evalSamples", 1},
                             {"maxNewTokens", 4}, {"device", "cpu"},      {"seed", 3}};
        writeText(path("tiny.json"), config.dump());
        r = hwtest::hindsight({"train", project, "--set", "imagined-k2", "--agent", "ilql", "--tiny", "--config",
                               qpath("tiny.json"), "--out", qpath("ilql-run"), "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(json::parse(r.out.toStdString())["status"], json("done"));

        // 8. Lineage: persona (+hidden) -> target -> dialogue -> critique -> labels.
        r = hwtest::hindsight({"lineage", project, QString::fromStdString(dialogues[1].uid), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json l = json::parse(r.out.toStdString());
        QCOMPARE(l["persona"]["name"], json("rushed-crammer"));
        QCOMPARE(l["persona"]["hidden"]["preferences"], json("short answers"));
        QCOMPARE(l["target_outcome"]["value"], dialogues[1].metadata["imagined"]["target_outcome"]);
        QCOMPARE(l["critique"]["verdict"], json("rewrite"));
        QCOMPARE(l["critique"]["rewritten"], json(true));
        QCOMPARE(l["reward_labels"].size(), size_t(1));
        QCOMPARE(l["reward_labels"][0]["value"], json(3.0));
        QCOMPARE(l["excluded"], json(false));
        r = hwtest::hindsight({"lineage", project, QString::fromStdString(dialogues[2].uid)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("critique: reject") && r.out.contains("excluded: rejected by the critique"),
                 qPrintable(r.out));
        r = hwtest::hindsight({"lineage", project, "demo-teaching-001"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("was not imagined"), qPrintable(r.err));

        // 9. Hindsight from imagined data on request: the controller and the forward model start from
        // the kept dialogue; the rejected one is never relabelled.
        const QString keptId = QString::number(dialogues[0].id), rejectedId = QString::number(dialogues[2].id);
        r = hwtest::hindsight(QStringList{"relabel", project, "--task", "teaching", "--dialogue", keptId, "--json", "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(json::parse(r.out.toStdString())["items"]["total"], json(0)); // originals only by default
        r = hwtest::hindsight(QStringList{"relabel", project, "--task", "teaching", "--dialogue", keptId, "--dialogue",
                                          rejectedId, "--include-imagined", "--json", "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        s = json::parse(r.out.toStdString());
        QCOMPARE(s["items"]["total"], json(1));
        QVERIFY(s["suggestions"].get<int>() >= 1);
        r = hwtest::hindsight(QStringList{"regenerate", project, "--task", "teaching", "--json", "--quiet"} + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(json::parse(r.out.toStdString())["items"]["total"], json(0)); // not without --include-imagined
        r = hwtest::hindsight(QStringList{"regenerate", project, "--task", "teaching", "--include-imagined", "--json",
                                          "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        s = json::parse(r.out.toStdString());
        QCOMPARE(s["regenerations"], json(1));
        std::string regenUid;
        {
            auto db = Database::open(p, Database::Mode::ReadOnly);
            Statement st(db, "SELECT uid FROM dialogues WHERE source = 'regeneration' AND parent_id = ?");
            st.bind(1, dialogues[0].id);
            QVERIFY(st.step());
            regenUid = st.text(0);
        }
        r = hwtest::hindsight({"lineage", project, QString::fromStdString(regenUid), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json rl = json::parse(r.out.toStdString());
        QCOMPARE(rl["dialogue"]["source"], json("regeneration"));
        QCOMPARE(rl["derived_from"]["dialogue"]["uid"], json(dialogues[0].uid));
        QCOMPARE(rl["derived_from"]["persona"]["name"], json("rushed-crammer"));
    }

    // Imagined counseling dialogues carry the initial intensity the counseling labeller reads.
    void imaginedCounselingDialoguesCanBeLabelled()
    {
        const QString project = qpath("counseling.hwb");
        QCOMPARE(hwtest::hindsight({"init", project}).exitCode, 0);
        hwtest::FakeLlmServer server; // the pipeline responder: imagined dialogues, intensity replies
        const QStringList endpoint = {"--endpoint", QString::fromStdString(server.baseUrl()), "--model", "fake-model"};
        auto r = hwtest::hindsight(QStringList{"imagine", project, "--task", "counseling", "--persona", "job-loss",
                                               "--per-persona", "2", "--quiet"}
                                   + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto dialogues = imagined(project.toStdString(), "counseling");
        QCOMPARE(dialogues.size(), size_t(2));
        for (const auto& d : dialogues) {
            QCOMPARE(d.metadata["initial_emotion_intensity"], json(4)); // job-loss: initial_intensity 4
            QCOMPARE(d.metadata["imagined"]["persona_hidden"]["initial_intensity"], json(4));
            const double target = d.metadata["imagined"]["target_outcome"].get<double>();
            QVERIFY(target >= -1 && target <= 3); // reachable from 4: final = 4 - target in 1..5
        }
        r = hwtest::hindsight(QStringList{"label", project, "--task", "counseling", "--include-imagined", "--json",
                                          "--quiet"}
                              + endpoint);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json s = json::parse(r.out.toStdString());
        QCOMPARE(s["items"]["failed"], json(0));
        QCOMPARE(s["labeled"], json(2));
        for (const auto& d : imagined(project.toStdString(), "counseling"))
            QVERIFY(d.reward && *d.reward >= 1 && *d.reward <= 3); // 4 - final (1..3)
    }
};

QTEST_APPLESS_MAIN(TestImagination)
#include "tst_core_imagination.moc"
