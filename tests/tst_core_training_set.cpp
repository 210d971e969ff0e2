// Training sets: the paper's presets (SFT, RFT, ILQL-orig, ILQL-zero-shot, Hindsight RL), source
// and reward-quantile filters, lineage, storage and export, and the `hindsight trainset` verb.
#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/train/training_set.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <QProcess>

#include <fstream>
#include <set>

using namespace hw;
using nlohmann::json;

namespace {

Dialogue make(const std::string& uid, const std::string& src, std::optional<double> reward,
              std::optional<int64_t> parent = std::nullopt)
{
    Dialogue d;
    d.uid = uid;
    d.task = "persuasion";
    d.source = src;
    d.reward = reward;
    d.parentId = parent;
    d.turns = {{0, Role::Agent, "Would you donate to Save the Children?", json::object()},
               {1, Role::User, "Maybe, tell me more.", json::object()},
               {2, Role::Agent, "Every dollar helps a child.", json::object()}};
    return d;
}

// 8 originals (rewards 0..0.7 + one unlabeled), 6 regenerations (2 hard), 3 imagined.
struct Project {
    std::map<std::string, int64_t> ids;
};

Project fill(Database& db)
{
    Project p;
    DialogueStore store(db);
    store.ensureTask(Task::persuasion());
    for (int i = 0; i < 8; ++i)
        p.ids["o" + std::to_string(i)] = store.insert(make("o" + std::to_string(i), source::kP4g, i * 0.1)).id;
    p.ids["ou"] = store.insert(make("ou", source::kP4g, std::nullopt)).id;
    for (int i = 0; i < 6; ++i) {
        const auto parent = p.ids["o" + std::to_string(i)];
        const auto id = store.insert(make("r" + std::to_string(i), source::kRegeneration, 1.0 + i * 0.1, parent)).id;
        p.ids["r" + std::to_string(i)] = id;
        Statement st(db, "INSERT INTO regenerations(dialogue_id, parent_dialogue_id, prefix_len, generator, hard) "
                         "VALUES (?, ?, 1, ?, ?)");
        st.bind(1, id).bind(2, parent).bind(3, std::string(R"({"model": "fwd"})")).bind(4, int64_t(i < 2 ? 1 : 0));
        st.exec();
    }
    for (int i = 0; i < 3; ++i)
        p.ids["i" + std::to_string(i)] = store.insert(make("i" + std::to_string(i), source::kImagined, 0.5)).id;
    return p;
}

std::set<std::string> uidsOf(Database& db, const std::vector<int64_t>& ids)
{
    std::set<std::string> out;
    DialogueStore store(db);
    for (auto id : ids)
        out.insert(store.get(id)->uid);
    return out;
}

} // namespace

class TestTrainingSet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presets()
    {
        auto db = Database::openInMemory();
        fill(db);
        auto sel = [&](const char* preset) { return uidsOf(db, selectTrainingSet(db, TrainingSetSpec::fromPreset(preset)).dialogueIds); };
        // SFT: top 25% of the 8 labelled originals = the 2 best.
        QCOMPARE(sel("sft"), (std::set<std::string>{"o6", "o7"}));
        // RFT: top 25% of originals + regenerations (14 labelled) = ceil(3.5) = 4 best: regenerations.
        QCOMPARE(sel("rft"), (std::set<std::string>{"r2", "r3", "r4", "r5"}));
        QCOMPARE(sel("ilql-orig").size(), size_t(8));   // labelled originals only
        QCOMPARE(sel("ilql-zero-shot"), (std::set<std::string>{"i0", "i1", "i2"}));
        const auto hrl = sel("hindsight-rl");
        QCOMPARE(hrl.size(), size_t(14));
        QVERIFY(hrl.count("r0") && hrl.count("o0") && !hrl.count("i0") && !hrl.count("ou"));
        QVERIFY_THROWS_EXCEPTION(Error, TrainingSetSpec::fromPreset("best"));
    }

    void filters()
    {
        auto db = Database::openInMemory();
        fill(db);
        auto spec = TrainingSetSpec::fromPreset("hindsight-rl");
        spec.includeHard = false;
        auto s = uidsOf(db, selectTrainingSet(db, spec).dialogueIds);
        QVERIFY(!s.count("r0") && !s.count("r1") && s.count("r2"));
        // Bottom quartile of the originals, exact source name, unlabeled included.
        TrainingSetSpec bottom;
        bottom.sources = {"p4g"};
        bottom.maxQuantile = 0.25;
        QCOMPARE(uidsOf(db, selectTrainingSet(db, bottom).dialogueIds), (std::set<std::string>{"o0", "o1"}));
        TrainingSetSpec all;
        all.sources = {"original"};
        all.labeledOnly = false;
        QCOMPARE(selectTrainingSet(db, all).dialogueIds.size(), size_t(9));
        // Bad specs.
        TrainingSetSpec bad;
        bad.minQuantile = 0.8;
        bad.maxQuantile = 0.2;
        QVERIFY_THROWS_EXCEPTION(Error, selectTrainingSet(db, bad));
        TrainingSetSpec none;
        none.sources = {"nowhere"};
        QVERIFY_THROWS_EXCEPTION(Error, selectTrainingSet(db, none));
        none.sources = {};
        none.task = "counseling";
        QVERIFY_THROWS_EXCEPTION(Error, selectTrainingSet(db, none));
    }

    void quantilesArePureAndTieStable()
    {
        std::vector<TrainingSetCandidate> c;
        for (int i = 0; i < 9; ++i)
            c.push_back({i + 1, "u" + std::to_string(i), "esconv", 1.0, false});   // all tied
        TrainingSetSpec top;
        top.minQuantile = 0.75;
        auto ids = [&](const std::vector<TrainingSetCandidate>& cs) {
            std::set<int64_t> out;
            for (auto i : selectCandidates(cs, top))
                out.insert(cs[i].id);
            return out;
        };
        const auto a = ids(c);
        QCOMPARE(a.size(), size_t(3));   // ceil(9 / 4), ties broken by the uid hash
        std::reverse(c.begin(), c.end());
        QCOMPARE(ids(c), a);             // the same dialogues whatever the input order
        QCOMPARE(sourceKind("esconv"), std::string("original"));
        QCOMPARE(sourceKind("regeneration"), std::string("regeneration"));
    }

    void createStoresLineageAndExports()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.hwb").toStdString();
        auto db = Database::create(path);
        fill(db);
        const auto id = createTrainingSet(db, "hrl", TrainingSetSpec::fromPreset("hindsight-rl"));
        TrainingSetStore store(db);
        const auto set = store.get(id);
        QVERIFY(set);
        QCOMPARE(set->size, int64_t(14));
        QCOMPARE(set->task, std::string("persuasion"));
        QCOMPARE(set->spec.at("preset").get<std::string>(), std::string("hindsight-rl"));
        QCOMPARE(set->lineage.at("by_kind").at("regeneration").get<int64_t>(), int64_t(6));
        QCOMPARE(set->lineage.at("by_kind").at("original").get<int64_t>(), int64_t(8));
        QCOMPARE(set->lineage.at("hard_regenerations").get<int64_t>(), int64_t(2));
        QCOMPARE(set->lineage.at("regeneration_generators")[0].at("count").get<int64_t>(), int64_t(6));
        QVERIFY_THROWS_EXCEPTION(Error, createTrainingSet(db, "hrl", TrainingSetSpec::fromPreset("sft")));
        const std::string out = dir.filePath("hrl.jsonl").toStdString();
        QCOMPARE(store.exportJsonl(id, out), int64_t(14));
        std::ifstream in(out);
        std::string line;
        int lines = 0;
        while (std::getline(in, line))
            lines += line.empty() ? 0 : 1;
        QCOMPARE(lines, 14);
        // Spec JSON round trip.
        const json j = TrainingSetSpec::fromPreset("rft");
        const auto back = j.get<TrainingSetSpec>();
        QCOMPARE(json(back).dump(), j.dump());
    }

    // Real generator records carry per-call fields (llm_call_id, request_hash, seed, finished):
    // the lineage must still count regenerations per model + prompt, and say which suggestions
    // drove them, who labelled the rewards and what imagined the zero-shot dialogues.
    void lineageGroupsByModelAndPrompt()
    {
        auto db = Database::openInMemory();
        DialogueStore store(db);
        store.ensureTask(Task::persuasion());
        std::vector<int64_t> parents;
        for (int i = 0; i < 4; ++i)
            parents.push_back(store.insert(make("o" + std::to_string(i), source::kP4g, i * 0.1)).id);
        // Two suggestions on the first original: one accepted, one still proposed; a third
        // (rejected) drives nothing and must not be counted.
        auto suggestion = [&](const char* status, const json& provenance) {
            Statement st(db, "INSERT INTO suggestions(dialogue_id, turn_idx, rank, status, provenance) VALUES (?, 0, 1, ?, ?)");
            st.bind(1, parents[0]).bind(2, std::string(status)).bind(3, provenance.dump()).exec();
            return db.lastInsertId();
        };
        const json controller = {{"kind", "llm"}, {"endpoint", "http://x/v1/chat/completions"}, {"model", "ctl"},
                                 {"prompt", "persuasion/relabel"}, {"prompt_sha256", "c0"}};
        json c1 = controller, c2 = controller;
        c1["llm_call_id"] = 11;
        c2["llm_call_id"] = 12;
        const int64_t sAccepted = suggestion("accepted", c1);
        const int64_t sProposed = suggestion("proposed", c2);
        suggestion("rejected", c1);
        // Five LLM regenerations (same endpoint, model, prompt; every per-call field different)
        // and two from a local forward checkpoint with different seeds, one of them hard.
        int n = 0;
        auto regenerate = [&](const json& generator, bool hard, std::optional<int64_t> sid) {
            const auto parent = parents[size_t(n % 4)];
            const auto id = store.insert(make("r" + std::to_string(n), source::kRegeneration, 1.0 + n * 0.1, parent)).id;
            Statement st(db, "INSERT INTO regenerations(dialogue_id, parent_dialogue_id, prefix_len, suggestion_id, "
                             "generator, hard) VALUES (?, ?, 1, ?, ?, ?)");
            st.bind(1, id).bind(2, parent).bind(3, sid).bind(4, generator.dump()).bind(5, int64_t(hard ? 1 : 0)).exec();
            ++n;
        };
        for (int i = 0; i < 5; ++i)
            regenerate({{"kind", "llm"}, {"endpoint", "http://x/v1/chat/completions"}, {"model", "fwd-llm"},
                        {"prompt", "persuasion/forward"}, {"prompt_sha256", "ab12"}, {"hard", false},
                        {"llm_call_id", 100 + i}, {"request_hash", "h" + std::to_string(i)}, {"model_name", "fwd"}},
                       false, i % 2 ? sProposed : sAccepted);
        for (int i = 0; i < 2; ++i)
            regenerate({{"kind", "local"}, {"role", "forward"}, {"checkpoint", "/runs/fwd/step-40"}, {"step", 40},
                        {"temperature", 0.9}, {"top_p", 0.95}, {"seed", 7 + i}, {"finished", i == 0}},
                       i == 1, std::nullopt);
        // Two imagined dialogues from one LLM + prompt (different calls and personas).
        for (int i = 0; i < 2; ++i) {
            Dialogue d = make("i" + std::to_string(i), source::kImagined, 0.5);
            d.metadata = {{"imagined", {{"persona", "p" + std::to_string(i)}, {"index", i},
                                        {"generator", {{"kind", "llm"}, {"model", "imaginer"}, {"prompt", "persuasion/imagine"},
                                                       {"prompt_sha256", "ff"}, {"persona", "p" + std::to_string(i)},
                                                       {"llm_call_id", 200 + i}, {"request_hash", "q" + std::to_string(i)}}}}}};
            store.insert(d);
        }
        // The first two regenerations were relabelled by an LLM labeller (two calls, one prompt);
        // their latest label is what the set was selected by.
        Statement ids(db, "SELECT id FROM dialogues WHERE source = 'regeneration' ORDER BY id LIMIT 2");
        std::vector<int64_t> relabelled;
        while (ids.step())
            relabelled.push_back(ids.int64(0));
        for (size_t i = 0; i < relabelled.size(); ++i)
            store.setReward(relabelled[i], 1.5, "llm",
                            {{"kind", "llm"}, {"model", "judge"}, {"prompt", "persuasion/reward"}, {"prompt_sha256", "9a"},
                             {"llm_call_id", 300 + int(i)}, {"job_id", 4}, {"details", {{"raw", "x" + std::to_string(i)}}}});

        const auto lineage = selectTrainingSet(db, TrainingSetSpec::fromPreset("hindsight-rl")).lineage;
        const auto& gens = lineage.at("regeneration_generators");
        QCOMPARE(int(gens.size()), 2);   // one LLM group, one checkpoint group
        QCOMPARE(gens[0].at("count").get<int64_t>(), int64_t(5));
        QCOMPARE(gens[0].at("generator").at("model").get<std::string>(), std::string("fwd-llm"));
        QCOMPARE(gens[0].at("generator").at("prompt_sha256").get<std::string>(), std::string("ab12"));
        QVERIFY(!gens[0].at("generator").contains("llm_call_id") && !gens[0].at("generator").contains("request_hash"));
        QVERIFY(!gens[0].contains("hard"));
        QCOMPARE(gens[1].at("count").get<int64_t>(), int64_t(2));
        QCOMPARE(gens[1].at("hard").get<int64_t>(), int64_t(1));
        QCOMPARE(gens[1].at("generator").at("checkpoint").get<std::string>(), std::string("/runs/fwd/step-40"));
        QVERIFY(!gens[1].at("generator").contains("seed"));

        const auto& sug = lineage.at("regeneration_suggestions");
        QCOMPARE(sug.at("suggestions").get<int64_t>(), int64_t(2));
        QCOMPARE(sug.at("by_status").at("accepted").get<int64_t>(), int64_t(1));
        QCOMPARE(sug.at("by_status").at("proposed").get<int64_t>(), int64_t(1));
        QVERIFY(!sug.at("by_status").contains("rejected"));
        QCOMPARE(int(sug.at("controllers").size()), 1);
        QCOMPARE(sug.at("controllers")[0].at("controller").at("model").get<std::string>(), std::string("ctl"));
        QCOMPARE(sug.at("controllers")[0].at("count").get<int64_t>(), int64_t(2));
        QCOMPARE(sug.at("regenerations_without_suggestion").get<int64_t>(), int64_t(2));

        // hindsight-rl: 4 originals (dataset labels) + 7 regenerations: 2 relabelled by the judge,
        // 5 still carrying the labels they were inserted with.
        const auto& labels = lineage.at("reward_labels");
        int64_t total = 0;
        bool judge = false;
        for (const auto& l : labels) {
            total += l.at("count").get<int64_t>();
            if (l.at("labeller").at("source") == "llm") {
                judge = true;
                QCOMPARE(l.at("count").get<int64_t>(), int64_t(2));
                QCOMPARE(l.at("labeller").at("provenance").at("model").get<std::string>(), std::string("judge"));
                QVERIFY(!l.at("labeller").at("provenance").contains("llm_call_id"));
                QVERIFY(!l.at("labeller").at("provenance").contains("details"));
            }
        }
        QVERIFY(judge);
        QCOMPARE(total, int64_t(11));
        QCOMPARE(int(labels.size()), 3);   // dataset p4g, dataset regeneration, the judge

        const auto zs = selectTrainingSet(db, TrainingSetSpec::fromPreset("ilql-zero-shot")).lineage;
        QCOMPARE(int(zs.at("imagined_generators").size()), 1);
        QCOMPARE(zs.at("imagined_generators")[0].at("count").get<int64_t>(), int64_t(2));
        QCOMPARE(zs.at("imagined_generators")[0].at("generator").at("model").get<std::string>(), std::string("imaginer"));
        QVERIFY(!zs.at("imagined_generators")[0].at("generator").contains("persona"));
        QVERIFY(zs.at("regeneration_generators").empty());
    }

    void cli()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.hwb");
        {
            auto db = Database::create(path.toStdString());
            fill(db);
        }
        auto run = [&](const QStringList& args) {
            QProcess p;
            p.start(QString::fromStdString(hwtest::cliPath()), QStringList{"trainset"} + args);
            p.waitForFinished(120000);
            return std::make_tuple(p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError());
        };
        auto [code, out, err] = run({"create", path, "--name", "sft-set", "--preset", "sft", "--json", "-o",
                                     dir.filePath("sft.jsonl")});
        QVERIFY2(code == 0, err.constData());
        const auto j = json::parse(out.toStdString());
        QCOMPARE(j.at("size").get<int64_t>(), int64_t(2));
        QCOMPARE(j.at("exported").get<int64_t>(), int64_t(2));
        std::tie(code, out, err) = run({"create", path, "--name", "custom", "--source", "imagined", "--source",
                                        "regeneration", "--min-quantile", "0.5"});
        QVERIFY2(code == 0, err.constData());
        std::tie(code, out, err) = run({"list", path, "--json"});
        QCOMPARE(code, 0);
        const auto list = json::parse(out.toStdString());
        QCOMPARE(int(list.size()), 2);
        QCOMPARE(list[1].at("size").get<int64_t>(), int64_t(5));   // ceil(9 * 0.5) of 3 imagined + 6 regenerations
        std::tie(code, out, err) = run({"create", path, "--name", "x", "--preset", "nope"});
        QCOMPARE(code, 1);
        QVERIFY(err.contains("preset"));
        std::tie(code, out, err) = run({"delete", path, "custom"});
        QCOMPARE(code, 0);
        std::tie(code, out, err) = run({"show", path, "custom"});
        QCOMPARE(code, 1);
    }
};

QTEST_APPLESS_MAIN(TestTrainingSet)
#include "tst_core_training_set.moc"
