// The paper's roles offline, behind the pipeline's stage interfaces: a local forward model (and
// the hard one), the reward model as labeler, and the whole pipeline (relabel by retrieval ->
// regenerate -> label) with no endpoint at all.
#include <torch/torch.h>

#include "core/offline/local_forward_model.h"
#include "core/offline/retrieval_controller.h"
#include "core/offline/reward_model_labeler.h"
#include "core/pipeline/label_job.h"
#include "core/pipeline/regenerate_job.h"
#include "core/pipeline/relabel_job.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/train/lm_training_job.h"
#include "core/util/error.h"
#include "support/lm_corpus.h"
#include "support/test_paths.h"
#include "support/tiny_chat_checkpoint.h"

using namespace hw;

namespace {

struct Checkpoints {
    QTemporaryDir tmp;
    std::string project;
    std::string forward, hard, reward;
};

Checkpoints& trained()
{
    static Checkpoints c = [] {
        Checkpoints x;
        x.project = x.tmp.filePath("p.hwb").toStdString();
        hwtest::insertDialogues(x.project, hwtest::lmDialogues(48, 11));
        auto train = [&](LmRole role, int steps) {
            return hwtest::trainTinyLm(x.project, role, steps,
                                       x.tmp.filePath(QString::fromStdString(toString(role))).toStdString());
        };
        x.forward = train(LmRole::Forward, 80);
        x.hard = train(LmRole::ForwardHard, 20);
        x.reward = train(LmRole::Reward, 20);
        return x;
    }();
    return c;
}

ForwardRequest requestFor(const Dialogue& d, const Task& task, int keep, int budget)
{
    ForwardRequest r;
    r.task = &task;
    r.parent = &d;
    r.prefix.assign(d.turns.begin(), d.turns.begin() + keep);
    r.prefix.back().text = "Would talking it through with a friend help?";
    r.turnBudget = budget;
    return r;
}

} // namespace

class TestOffline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void forwardModelCompletesDialogues()
    {
        auto& c = trained();
        LocalForwardOptions o;
        o.checkpoint = c.forward;
        o.device = "cpu";
        LocalForwardModel fm(o);
        QCOMPARE(fm.name(), std::string("local-forward"));
        auto db = Database::open(c.project);
        DialogueStore store(db);
        const Task task = *store.task("counseling");
        const auto d = *store.get(1);
        StageContext ctx;
        ctx.seed = 5;
        int finished = 0;
        for (int budget : {1, 3, 6}) {
            auto req = requestFor(d, task, 2, budget);
            const auto r = fm.complete(req, ctx);
            QVERIFY2(r.ok, r.error.c_str());
            QVERIFY(!r.continuation.empty());
            QVERIFY(static_cast<int>(r.continuation.size()) <= budget);
            QVERIFY(r.continuation.front().role == Role::User);
            for (size_t i = 0; i < r.continuation.size(); ++i)
                QCOMPARE(r.continuation[i].index, static_cast<int>(2 + i));
            QCOMPARE(r.provenance["kind"].get<std::string>(), std::string("local"));
            QCOMPARE(r.provenance["role"].get<std::string>(), std::string("forward"));
            QCOMPARE(r.provenance["checkpoint"].get<std::string>(), c.forward);
            QVERIFY(r.usage.completionTokens > 0);
            finished += r.provenance["finished"].get<bool>();
        }
        QVERIFY(finished >= 1); // </eod> is forced at the budget, so short budgets always finish
        // Deterministic per (seed, sample index, attempt).
        auto req = requestFor(d, task, 2, 6);
        const auto a = fm.complete(req, ctx);
        const auto b = fm.complete(req, ctx);
        QCOMPARE(a.raw, b.raw);
        req.sampleIndex = 1;
        StageContext other = ctx;
        other.seed = 6;
        bool differs = false;
        for (int i = 0; i < 4 && !differs; ++i) {
            req.sampleIndex = i + 1;
            differs = fm.complete(req, other).raw != a.raw;
        }
        QVERIFY(differs);
        // The prefix must end with the agent's new utterance.
        auto bad = requestFor(d, task, 1, 4); // ends with the user's turn
        bad.prefix.back().role = Role::User;
        QVERIFY_THROWS_EXCEPTION(StageError, fm.complete(bad, ctx));
        StageContext stopped;
        stopped.stop.requestStop();
        QVERIFY_THROWS_EXCEPTION(Cancelled, fm.complete(requestFor(d, task, 2, 6), stopped));
    }

    void rewardModelLabels()
    {
        auto& c = trained();
        RewardModelLabeler labeler(c.reward, "cpu");
        auto db = Database::open(c.project);
        DialogueStore store(db);
        const Task task = *store.task("counseling");
        StageContext ctx;
        const auto r = labeler.label(task, *store.get(3), ctx);
        QVERIFY(r.ok);
        QVERIFY(r.value);
        QVERIFY(*r.value >= task.rewardMin && *r.value <= task.rewardMax);
        QCOMPARE(r.provenance["kind"].get<std::string>(), std::string("reward_model"));
        QCOMPARE(labeler.label(task, *store.get(3), ctx).value, r.value);
        QVERIFY_THROWS_EXCEPTION(StageError, labeler.label(Task::persuasion(), *store.get(3), ctx));
        QVERIFY_THROWS_EXCEPTION(Error, RewardModelLabeler(c.forward, "cpu")); // an LM, not a reward model
    }

    void wholePipelineRunsOffline()
    {
        auto& c = trained();
        auto db = Database::open(c.project);
        RetrievalOptions ro;
        ro.task = "counseling";
        RetrievalController controller(db, ro);
        LocalForwardOptions fo;
        fo.checkpoint = c.forward;
        fo.device = "cpu";
        LocalForwardModel forward(fo);
        fo.checkpoint = c.hard;
        fo.hard = true;
        LocalForwardModel hard(fo);
        RewardModelLabeler labeler(c.reward, "cpu");

        SharedProject shared(db);
        RelabelConfig rc;
        rc.task = "counseling";
        rc.limit = 4;
        QCOMPARE(runRelabel(shared, rc, controller, {}).status, std::string("done"));
        RegenerateConfig gc;
        gc.task = "counseling";
        gc.samples = 2;
        gc.hardShare = 0.5;
        gc.turnBudget = 4;
        const auto g = runRegenerate(shared, gc, forward, &hard, {});
        QCOMPARE(g.status, std::string("done"));
        // No item may fail; the message names the ones that did and why.
        std::string failures;
        {
            Statement st(db, "SELECT item_key, error FROM job_items WHERE status = 'failed'");
            while (st.step())
                failures += st.text(0) + ": " + st.text(1) + "\n";
        }
        QVERIFY2(failures.empty(), (g.toJson().dump() + "\n" + failures).c_str());
        QCOMPARE(g.failed, int64_t(0));
        QCOMPARE(g.done, int64_t(8)); // 4 dialogues x 1 suggestion x 2 samples
        LabelConfig lc;
        lc.task = "counseling";
        const auto l = runLabel(shared, lc, labeler, {});
        QCOMPARE(l.status, std::string("done"));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE source = 'regeneration' AND reward IS NOT NULL"),
                 int64_t(8));
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM dialogues WHERE source = 'regeneration' AND reward_source = 'model'"),
                 int64_t(8)); // a local reward model's labels are "model", not "llm"
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM reward_labels WHERE provenance LIKE '%reward_model%'"),
                 int64_t(8));
        QVERIFY(*db.queryInt64("SELECT count(*) FROM regenerations WHERE hard = 1") >= 1);
        QCOMPARE(*db.queryInt64("SELECT count(*) FROM suggestions WHERE provenance LIKE '%\"retrieval\"%'"),
                 *db.queryInt64("SELECT count(*) FROM suggestions"));
    }
};

QTEST_APPLESS_MAIN(TestOffline)
#include "tst_core_offline.moc"
