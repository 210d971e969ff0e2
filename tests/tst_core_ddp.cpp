// Data-parallel training (core/dist): two Gloo ranks on loopback take the same optimizer steps as
// one process on the whole batch (LM trainer with gradient accumulation; ILQL with its Polyak
// targets), batch sharding, the bucketed reducer on its own, and a rank killed mid-run stopping
// the other with a clear error instead of a hang.
//
// The ranks are this test program started again (as the launcher starts `hindsight train`), with
// HW_DDP_TEST_WORKER naming what to run; see main() at the end.
#include <torch/torch.h>

#include "core/dist/batch_shard.h"
#include "core/dist/dist_config.h"
#include "core/dist/grad_bucket_reducer.h"
#include "core/dist/local_launcher.h"
#include "core/dist/process_group.h"
#include "core/model/dialogue_codec.h"
#include "core/model/safetensors.h"
#include "core/store/database.h"
#include "core/train/ilql_trainer.h"
#include "core/train/lm_data.h"
#include "core/train/lm_trainer.h"
#include "core/train/lm_training_job.h"
#include "core/train/metrics_sink.h"
#include "core/train/reward_model.h"
#include "core/train/reward_trainer.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"
#include "core/train/training_set.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <tuple>
#include <filesystem>
#include <random>
#include <unistd.h>

using namespace hw;

namespace {

std::string selfPath() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

std::string envOr(const char* name, const std::string& fallback = "")
{
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

// ---- LM: the counseling corpus, a tiny model, 3 steps of 2 accumulated micro-batches ----

LmTrainConfig lmConfig(int64_t steps)
{
    LmTrainConfig c = LmTrainConfig::tiny();
    c.device = "cpu";
    c.batchSize = 3;              // odd: ranks get shards of different sizes (2 + 1)
    c.gradAccumSteps = 2;
    c.validFraction = 0;
    c.evalEvery = 0;
    c.logEvery = 1;
    c.warmupSteps = 1;
    c.maxSteps = steps;
    // Shards are padded to other lengths than the whole batch, so gradients agree to float
    // rounding only; AdamW's first steps (about lr * sign(g)) magnify that for tiny gradients:
    // at lr 1e-2 the parameters agreed to 3.8e-5 after 3 steps, at 1e-3 to 3.9e-6.
    c.optimizer.lr = 1e-3;
    return c;
}

std::vector<EncodedDialogue> lmExamples(const Tokenizer& tok)
{
    const DialogueCodec codec(tok);
    std::vector<EncodedDialogue> out;
    for (const auto& x : hwtest::lmDialogues(9))
        for (auto& e : encodeWindows(codec, x, 128))
            out.push_back(std::move(e));
    return out;
}

std::vector<torch::Tensor> runLm(const std::string& tokDir, int64_t steps, ProcessGroup* pg, ProgressFn progress = {})
{
    const auto tok = Tokenizer::loadDirectory(tokDir);
    const auto c = lmConfig(std::max<int64_t>(steps, 1));
    LmTrainer t(makeModelForTraining(c, tok.vocabSize()), tok, c, LossTokens::AllButContext, "lm-forward");
    t.setData(lmExamples(tok), {}, "fp");
    TrainHooks h;
    h.dist = pg;
    h.progress = std::move(progress);
    if (steps > 0)   // 0: the initial parameters
        t.train(h);
    std::vector<torch::Tensor> out;
    for (const auto& p : t.model()->parameters())
        out.push_back(p.detach().clone());
    return out;
}

// ---- ILQL: toy dialogues with known rewards (as in tst_core_ilql_trainer) ----

enum Word : int64_t { kHi = 7, kA = 8, kB = 9, kOk = 10, kBye = 11, kVocab = 16 };

SpecialTokens toySpecial()
{
    SpecialTokens s;
    s.pad = 0;
    s.bos = 1;
    s.endOfState = 2;
    s.beginAction = 3;
    s.endOfAction = 4;
    s.endOfDialogue = 5;
    s.unk = 6;
    return s;
}

std::vector<EncodedDialogue> toyData(int n)
{
    std::mt19937_64 rng(7);
    std::vector<EncodedDialogue> out;
    for (int i = 0; i < n; ++i) {
        const bool a = (rng() & 1) == 0;
        std::vector<TokenTurn> tt = {{Role::User, {kHi}, std::nullopt},
                                     {Role::Agent, {a ? kA : kB}, std::nullopt},
                                     {Role::User, {kOk}, std::nullopt}};
        if (i % 3 == 0)   // different lengths and slot counts per row
            tt.push_back({Role::Agent, {kBye, kOk}, std::nullopt});
        out.push_back(DialogueCodec::encodeTurns(toySpecial(), {}, tt, /*finished=*/true, a ? 1.f : 0.f));
    }
    return out;
}

Transformer tinyModel(uint64_t seed)
{
    auto mc = ModelConfig::tiny(kVocab);
    mc.hiddenSize = 32;
    mc.intermediateSize = 64;
    torch::manual_seed(seed);
    Transformer m(mc);
    m->initWeights();
    return m;
}

std::map<std::string, torch::Tensor> runIlql(const std::string& targets, int64_t steps, ProcessGroup* pg)
{
    IlqlTrainConfig c = IlqlTrainConfig::tiny();
    c.seed = 5;
    c.device = "cpu";
    c.batchSize = 10;
    c.gradAccumSteps = 1;
    c.optimizer.lr = 1e-3;
    c.iterations = 1;
    c.updatesPerIteration = std::max<int64_t>(steps, 1);
    c.logEvery = 1;
    c.validFraction = 0;
    c.evalSamples = 0;
    c.polyakAlpha = 0.2;   // targets move visibly in a few steps
    c.targets = targets;
    IlqlTrainer t(tinyModel(5), std::nullopt, toySpecial(), c, "ilql", tinyModel(6));
    t.setData(toyData(25), {});
    IlqlTrainHooks h;
    h.dist = pg;
    if (steps > 0)   // 0: the initial parameters
        t.train(h);
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : t.trunk()->named_parameters(true))
        out["trunk." + p.key()] = p.value().detach().clone();
    for (const auto& p : t.policyModel()->named_parameters(true))
        out["policy." + p.key()] = p.value().detach().clone();
    for (const auto& p : t.heads()->named_parameters(true))
        out["heads." + p.key()] = p.value().detach().clone();
    if (t.targetTrunk())
        for (const auto& p : t.targetTrunk()->named_parameters(true))
            out["target." + p.key()] = p.value().detach().clone();
    return out;
}

std::vector<torch::Tensor> values(const std::map<std::string, torch::Tensor>& m)
{
    std::vector<torch::Tensor> out;
    for (const auto& kv : m)
        out.push_back(kv.second);
    return out;
}

double maxAbsDiff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    if (a.size() != b.size())
        return 1e9;
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, (a[i] - b[i]).abs().max().item<double>());
    return m;
}

// ---- reward model: regression on the corpus' rewards, 3 steps ----

std::vector<torch::Tensor> runReward(const std::string& tokDir, ProcessGroup* pg)
{
    const auto tok = Tokenizer::loadDirectory(tokDir);
    const DialogueCodec codec(tok);
    auto c = LmTrainConfig::tiny();
    c.device = "cpu";
    c.batchSize = 5;
    c.maxSteps = 3;
    c.warmupSteps = 0;
    c.optimizer.lr = 1e-3;
    c.validFraction = 0;
    c.evalEvery = 0;
    c.logEvery = 1;
    c.rewardPooling = "last";
    RewardHeadConfig head;
    head.rewardMin = -4;
    head.rewardMax = 4;
    RewardTrainer t(makeModelForTraining(c, tok.vocabSize()), tok, c, head);
    t.setData(makeRewardExamples(codec, hwtest::lmDialogues(12, 5), c.maxSeqLen), {});
    TrainHooks h;
    h.dist = pg;
    t.train(h);
    std::vector<torch::Tensor> out;
    for (const auto& p : t.model()->parameters())
        out.push_back(p.detach().clone());
    return out;
}

// ---- the worker side: one rank ----

int runWorker(const std::string& role)
{
    try {
        torch::set_num_threads(1);
        const auto dc = DistConfig::fromEnvironment();
        if (!dc)
            throw Error("worker started without WORLD_SIZE");
        ProcessGroup pg(*dc);
        const std::string out = envOr("HW_DDP_TEST_OUT");
        std::vector<torch::Tensor> result;
        if (role == "lm") {
            result = runLm(envOr("HW_DDP_TEST_TOKENIZER"), 3, &pg);
        } else if (role == "ilql-heads" || role == "ilql-trunk") {
            result = values(runIlql(role == "ilql-heads" ? "heads" : "trunk", 4, &pg));
        } else if (role == "reward") {
            result = runReward(envOr("HW_DDP_TEST_TOKENIZER"), &pg);
        } else if (role == "lm-die") {
            // Rank 1 dies (SIGKILL, no goodbye) after its third step; rank 0 must not hang.
            runLm(envOr("HW_DDP_TEST_TOKENIZER"), 100000, &pg, [&](const Progress& p) {
                if (pg.rank() == 1 && p.done == 3)
                    std::raise(SIGKILL);
            });
        } else if (role == "reducer") {
            // Each rank's gradient is rank+1 everywhere: the sum is 1+2+... on every rank.
            auto w1 = torch::zeros({300, 7}, torch::requires_grad());
            auto w2 = torch::zeros({5}, torch::requires_grad());
            auto unused = torch::zeros({3}, torch::requires_grad());
            GradBucketReducerConfig rc;
            rc.bucketMegabytes = 0.001;   // several buckets
            GradBucketReducer red(pg, {w1, w2, unused}, rc);
            for (int step = 0; step < 2; ++step) {
                red.arm();
                ((w1.sum() + w2.sum()) * static_cast<double>(pg.rank() + 1)).backward();
                red.finish();
                if (unused.grad().defined())
                    throw Error("a parameter no rank touched got a gradient");
                result = {w1.grad().clone(), w2.grad().clone()};
                w1.mutable_grad() = torch::Tensor();
                w2.mutable_grad() = torch::Tensor();
            }
            // Without the unused parameter holding the first bucket back, the buckets start from
            // the gradient hooks, inside backward().
            GradBucketReducer overlapped(pg, {w1, w2}, rc);
            overlapped.arm();
            ((w1.sum() + w2.sum()) * static_cast<double>(pg.rank() + 1)).backward();
            overlapped.finish();
            if (overlapped.stats().buckets < 2
                || overlapped.stats().bucketsStartedInBackward != overlapped.stats().buckets)
                throw Error("buckets did not start during backward");
            if (w1.grad().min().item<double>() != 3.0)
                throw Error("overlapped reduction gave a wrong sum");
        } else {
            throw Error("unknown worker role " + role);
        }
        if (pg.rank() == 0 && !out.empty())
            torch::save(result, out);
        std::fflush(stdout);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "worker failed: %s\n", e.what());
        std::fflush(stderr);
        return 3;
    }
}

LocalLaunchResult launchWorkers(const std::string& role, const std::string& out, const std::string& tokDir,
                                int nproc = 2)
{
    LocalLaunchConfig lc;
    lc.program = selfPath();
    lc.nproc = nproc;
    lc.env = {{"HW_DDP_TEST_WORKER", role},
              {"HW_DDP_TEST_OUT", out},
              {"HW_DDP_TEST_TOKENIZER", tokDir},
              {"HW_DIST_TIMEOUT", "60"},
              {"OMP_NUM_THREADS", "1"}};
    return launchLocalRanks(lc);
}

std::vector<torch::Tensor> loadTensors(const std::string& path)
{
    std::vector<torch::Tensor> v;
    torch::load(v, path);
    return v;
}

} // namespace

class TestDdp : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string m_tokDir;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(m_tmp.isValid());
        if (!ProcessGroup::available())
            QSKIP("built without c10d (no distributed training)");
        m_tokDir = (std::filesystem::path(m_tmp.path().toStdString()) / "tok").string();
        std::filesystem::create_directories(m_tokDir);
        hwtest::lmTokenizer(hwtest::lmDialogues(9)).saveDirectory(m_tokDir);
    }

    void shardsCoverTheBatchOnce()
    {
        const std::vector<int64_t> b = {10, 11, 12, 13, 14};
        const auto s0 = shardBatch(b, 0, 2), s1 = shardBatch(b, 1, 2);
        QCOMPARE(s0.rows, (std::vector<int64_t>{10, 12, 14}));
        QCOMPARE(s1.rows, (std::vector<int64_t>{11, 13}));
        QVERIFY(!s0.padding && !s1.padding);
        // Fewer rows than ranks: the rank left over gets a zero-weight stand-in row.
        const auto p = shardBatch({7}, 1, 2);
        QVERIFY(p.padding);
        QCOMPARE(p.rows, (std::vector<int64_t>{7}));
        QVERIFY_THROWS_EXCEPTION(Error, shardBatch(b, 2, 2));
    }

    void distConfigFromEnvironment()
    {
        qputenv("WORLD_SIZE", "4");
        qputenv("RANK", "3");
        qputenv("MASTER_PORT", "1234");
        const auto c = DistConfig::fromEnvironment();
        QVERIFY(c.has_value());
        QCOMPARE(c->rank, 3);
        QCOMPARE(c->worldSize, 4);
        QCOMPARE(c->localRank, 3);
        QCOMPARE(c->masterPort, 1234);
        qputenv("RANK", "4");
        QVERIFY_THROWS_EXCEPTION(Error, DistConfig::fromEnvironment());
        qunsetenv("WORLD_SIZE");
        qunsetenv("RANK");
        qunsetenv("MASTER_PORT");
        QVERIFY(!DistConfig::fromEnvironment().has_value());
    }

    void reducerSumsBucketsAndSkipsUnusedParameters()
    {
        const std::string out = m_tmp.filePath("reducer.pt").toStdString();
        const auto r = launchWorkers("reducer", out, m_tokDir);
        QVERIFY2(r.ok, r.message.c_str());
        const auto g = loadTensors(out);
        QCOMPARE(g.size(), size_t(2));
        QCOMPARE(g[0].min().item<double>(), 3.0);
        QCOMPARE(g[0].max().item<double>(), 3.0);
        QCOMPARE(g[1].min().item<double>(), 3.0);
    }

    void twoRanksEqualOneProcessLm()
    {
        const std::string out = m_tmp.filePath("lm.pt").toStdString();
        const auto r = launchWorkers("lm", out, m_tokDir);
        QVERIFY2(r.ok, r.message.c_str());
        const auto two = loadTensors(out);
        const auto one = runLm(m_tokDir, 3, nullptr);
        const double d = maxAbsDiff(one, two);
        qInfo("LM: max |2 ranks - 1 process| = %.3g", d);
        QVERIFY2(d < 1e-5, qPrintable(QString("parameters differ by %1").arg(d)));
        // And the step did something: far from the initial parameters.
        const auto init = runLm(m_tokDir, 0, nullptr);
        QVERIFY(maxAbsDiff(init, one) > 1e-3);
    }

    void twoRanksEqualOneProcessIlql_data()
    {
        QTest::addColumn<QString>("targets");
        QTest::newRow("target heads") << "heads";
        QTest::newRow("target trunk") << "trunk";
    }
    void twoRanksEqualOneProcessIlql()
    {
        QFETCH(QString, targets);
        const std::string out = m_tmp.filePath("ilql-" + targets + ".pt").toStdString();
        const auto r = launchWorkers("ilql-" + targets.toStdString(), out, m_tokDir);
        QVERIFY2(r.ok, r.message.c_str());
        const auto two = loadTensors(out);
        const auto oneMap = runIlql(targets.toStdString(), 4, nullptr);
        const auto one = values(oneMap);
        const double d = maxAbsDiff(one, two);
        qInfo("ILQL (%s): max |2 ranks - 1 process| = %.3g over %zu tensors", qPrintable(targets), d, one.size());
        QVERIFY2(d < 1e-5, qPrintable(QString("parameters differ by %1").arg(d)));
        // The Polyak targets are among the compared tensors, and they moved.
        const auto init = values(runIlql(targets.toStdString(), 0, nullptr));
        QVERIFY(maxAbsDiff(init, one) > 1e-4);
    }

    void twoRanksEqualOneProcessRewardModel()
    {
        const std::string out = m_tmp.filePath("reward.pt").toStdString();
        const auto r = launchWorkers("reward", out, m_tokDir);
        QVERIFY2(r.ok, r.message.c_str());
        const double d = maxAbsDiff(runReward(m_tokDir, nullptr), loadTensors(out));
        qInfo("reward model: max |2 ranks - 1 process| = %.3g", d);
        QVERIFY2(d < 1e-5, qPrintable(QString("parameters differ by %1").arg(d)));
    }

    void killedRankStopsTheOtherWithAnError()
    {
        // Started by hand, the way torchrun or two machines would: nobody kills rank 0 for us.
        const int port = freeLocalPort();
        QProcess ranks[2];
        for (int r = 0; r < 2; ++r) {
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert("HW_DDP_TEST_WORKER", "lm-die");
            env.insert("HW_DDP_TEST_TOKENIZER", QString::fromStdString(m_tokDir));
            env.insert("RANK", QString::number(r));
            env.insert("WORLD_SIZE", "2");
            env.insert("MASTER_ADDR", "127.0.0.1");
            env.insert("MASTER_PORT", QString::number(port));
            env.insert("HW_DIST_TIMEOUT", "45");
            ranks[r].setProcessEnvironment(env);
            ranks[r].start(QString::fromStdString(selfPath()), {});
            QVERIFY(ranks[r].waitForStarted());
        }
        // Generous bounds: a hang would exceed them, a slow machine would not.
        QVERIFY2(ranks[1].waitForFinished(300000), "rank 1 did not die");
        QCOMPARE(ranks[1].exitStatus(), QProcess::CrashExit);
        const bool finished = ranks[0].waitForFinished(300000);
        if (!finished)
            ranks[0].kill();
        QVERIFY2(finished, "rank 0 hung after rank 1 died");
        const QString err = QString::fromUtf8(ranks[0].readAllStandardError());
        qInfo("rank 0 said: %s", qPrintable(err.trimmed().left(400)));
        QCOMPARE(ranks[0].exitStatus(), QProcess::NormalExit);
        QCOMPARE(ranks[0].exitCode(), 3);
        QVERIFY2(err.contains("distributed training") && err.contains("rank 0 of 2"), qPrintable(err));
    }

    // `hindsight train-lm --nproc 2`: the launcher, rank-0-only writing, and a checkpoint that a
    // single process resumes (another number of ranks) to the same parameters as an
    // uninterrupted single-process run.
    void cliNprocWritesOnceAndResumesWithOtherRankCount()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(project, hwtest::lmDialogues(16));
        const QString cfg = tmp.filePath("cfg.json");
        std::ofstream(cfg.toStdString()) << R"({"batchSize": 4, "logEvery": 1, "device": "cpu", "warmupSteps": 0, "minLrRatio": 1.0})";
        auto cli = [&](const QStringList& args) {
            QProcess p;
            p.start(QString::fromStdString(hwtest::cliPath()),
                    QStringList{"train-lm", QString::fromStdString(project), "--role", "forward", "--tiny", "--config",
                                cfg, "--json", "--quiet"}
                        + args);
            const bool done = p.waitForFinished(600000);
            if (!done)
                p.kill();
            return std::make_tuple(done && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                                   QString::fromUtf8(p.readAllStandardOutput()),
                                   QString::fromUtf8(p.readAllStandardError()));
        };
        const QString outDist = tmp.filePath("dist"), outOne = tmp.filePath("one");
        auto [c1, o1, e1] = cli({"--nproc", "2", "--max-steps", "3", "--out", outDist});
        QVERIFY2(c1 == 0, qPrintable(e1));
        const auto j1 = nlohmann::json::parse(o1.toStdString());   // rank 0 alone printed its result
        QCOMPARE(j1["steps"].get<int>(), 3);
        {
            auto db = Database::open(project, Database::Mode::ReadOnly);
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs"), int64_t(1));
        }
        int dirs = 0;
        for (const auto& e : std::filesystem::directory_iterator(tmp.path().toStdString()))
            dirs += e.is_directory();
        QCOMPARE(dirs, 1);   // only rank 0's output directory
        // Resumed by one process to step 5 ...
        auto [c2, o2, e2] = cli({"--resume", outDist, "--max-steps", "5"});
        QVERIFY2(c2 == 0, qPrintable(e2));
        const auto j2 = nlohmann::json::parse(o2.toStdString());
        QCOMPARE(j2["steps"].get<int>(), 5);
        // ... equals one process from the start.
        auto [c3, o3, e3] = cli({"--max-steps", "5", "--out", outOne});
        QVERIFY2(c3 == 0, qPrintable(e3));
        const auto j3 = nlohmann::json::parse(o3.toStdString());
        const auto a = safetensors::load(j2["checkpoint"].get<std::string>() + "/model.safetensors");
        const auto b = safetensors::load(j3["checkpoint"].get<std::string>() + "/model.safetensors");
        QCOMPARE(a.size(), b.size());
        double d = 0;
        for (const auto& [k, v] : a)
            d = std::max(d, (v - b.at(k)).abs().max().item<double>());
        qInfo("CLI: 2 ranks x 3 steps + 1 process x 2 steps vs 1 process x 5 steps: max diff %.3g", d);
        QVERIFY2(d < 1e-4, qPrintable(QString("parameters differ by %1").arg(d)));
    }

    // `hindsight train --agent ilql --nproc 2` (π_β by behaviour cloning, then ILQL, each its own
    // run): one run row per stage, and the same checkpoint as one process.
    void cliIlqlAgentWithTwoRanksEqualsOneProcess()
    {
        QTemporaryDir tmp;
        const std::string project = tmp.filePath("p.hwb").toStdString();
        Database::create(project);
        hwtest::makeChatProject(project, 40);
        {
            auto db = Database::open(project);
            createTrainingSet(db, "hrl", TrainingSetSpec::fromPreset("hindsight-rl"));
        }
        const QString cfg = tmp.filePath("cfg.json");
        std::ofstream(cfg.toStdString()) << nlohmann::json{{"bcSteps", 3}, {"iterations", 1}, {"updatesPerIteration", 4},
                                                           {"logEvery", 1}, {"checkpointEvery", 0}, {"evalSamples", 1},
                                                           {"maxNewTokens", 4}, {"device", "cpu"}, {"seed", 3},
                                                           {"warmupSteps", 0}}
                                                .dump();
        auto train = [&](const QStringList& more) {
            QProcess p;
            p.start(QString::fromStdString(hwtest::cliPath()),
                    QStringList{"train", QString::fromStdString(project), "--set", "hrl", "--agent", "ilql", "--tiny",
                                "--quiet", "--json", "--config", cfg}
                        + more);
            const bool done = p.waitForFinished(600000);
            if (!done)
                p.kill();
            return std::make_tuple(done && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                                   QString::fromUtf8(p.readAllStandardOutput()),
                                   QString::fromUtf8(p.readAllStandardError()));
        };
        auto [c1, o1, e1] = train({"--nproc", "2", "--out", tmp.filePath("dist")});
        QVERIFY2(c1 == 0, qPrintable(e1));
        {
            auto db = Database::open(project, Database::Mode::ReadOnly);
            QCOMPARE(*db.queryInt64("SELECT count(*) FROM runs"), int64_t(2));   // π_β and ILQL, once each
        }
        auto [c2, o2, e2] = train({"--out", tmp.filePath("one")});
        QVERIFY2(c2 == 0, qPrintable(e2));
        const auto j1 = nlohmann::json::parse(o1.toStdString()), j2 = nlohmann::json::parse(o2.toStdString());
        QCOMPARE(j1["steps"].get<int>(), 4);
        double d = 0;
        for (const char* file : {"model.safetensors", "value_trunk.safetensors", "ilql_value_heads.safetensors"}) {
            const auto a = safetensors::load(j1["checkpoint"].get<std::string>() + "/" + file);
            const auto b = safetensors::load(j2["checkpoint"].get<std::string>() + "/" + file);
            QCOMPARE(a.size(), b.size());
            for (const auto& [k, v] : a)
                d = std::max(d, (v - b.at(k)).abs().max().item<double>());
        }
        qInfo("CLI ILQL: 2 ranks vs 1 process, max diff over pi_beta, value trunk and heads %.3g", d);
        QVERIFY2(d < 1e-4, qPrintable(QString("parameters differ by %1").arg(d)));
    }

    void launcherReportsTheFailedRankAndStopsTheOthers()
    {
        const auto r = launchWorkers("lm-die", "", m_tokDir);
        QVERIFY(!r.ok);
        QCOMPARE(r.failedRank, 1);
        QCOMPARE(r.exitCodes[1], -SIGKILL);
        QVERIFY(r.exitCodes[0] != 0);
        QVERIFY2(QString::fromStdString(r.message).contains("rank 1 was killed by signal 9"), r.message.c_str());
    }
};

int main(int argc, char** argv)
{
    if (const char* role = std::getenv("HW_DDP_TEST_WORKER"); role && *role)
        return runWorker(role);
    TestDdp t;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&t, argc, argv);
}

#include "tst_core_ddp.moc"
