// ILQL loss, decoding and target update against the authors' reference values
// (../shared/reference/ilql/golden.json), plus configurations checked by hand.
#include <torch/torch.h>

#include "core/rl/ilql_config.h"
#include "core/rl/ilql_decode.h"
#include "core/rl/ilql_heads.h"
#include "core/rl/ilql_loss.h"
#include "core/rl/ilql_policy.h"
#include "core/rl/ilql_reference_io.h"
#include "core/rl/row_logsumexp.h"
#include "core/model/generation.h"
#include "core/model/transformer.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

using namespace hw;
using json = nlohmann::json;

namespace {

constexpr double kRelTol = 1e-5;

std::string goldenPath() { return std::string(hwtest::sharedDir()) + "/reference/ilql/golden.json"; }

#define HW_REQUIRE_GOLDEN(var)                                                             \
    if (!std::filesystem::exists(goldenPath()))                                            \
        QSKIP("../shared/reference/ilql/golden.json is absent: golden test skipped");     \
    const json var = json::parse(std::ifstream(goldenPath()))

// Relative error |a-b|/|b|; absolute where the reference value is 0; infinities must agree.
double relErr(double a, double b)
{
    if (std::isinf(b) || std::isinf(a))
        return a == b ? 0.0 : std::numeric_limits<double>::infinity();
    if (std::isnan(a) || std::isnan(b))
        return std::numeric_limits<double>::infinity();
    return b == 0.0 ? std::abs(a) : std::abs(a - b) / std::abs(b);
}

double maxRelErr(const torch::Tensor& got, const json& expected, const std::string& name)
{
    const auto want = jsonToTensor(expected, torch::kDouble, name);
    const auto g = got.detach().to(torch::kDouble).contiguous();
    if (!g.sizes().equals(want.sizes()))
        return std::numeric_limits<double>::infinity();
    double worst = 0.0;
    const auto gf = g.reshape({-1}), wf = want.reshape({-1});
    for (int64_t i = 0; i < gf.numel(); ++i)
        worst = std::max(worst, relErr(gf[i].item<double>(), wf[i].item<double>()));
    return worst;
}

double scalar(const torch::Tensor& t) { return t.item<double>(); }

const char* const kComponents[] = {"token_loss", "v_loss", "q_loss", "cql_loss", "dm_loss", "total_loss"};

struct Computed {
    IlqlLossResult r;
    IlqlLossDetail d;
};

Computed compute(const IlqlReferenceInputs& in, const IlqlConfig& c, bool actionLogitsOnly = false)
{
    Computed out;
    IlqlPolicyOutputs policy;
    if (actionLogitsOnly)
        policy.actionLogits = gatherPositions(in.logits, in.batch.actionIdxs);
    else
        policy.logits = in.logits;
    out.r = ilqlLoss(in.batch, gatherReferenceHeads(in, c.double_q), policy, c, &out.d);
    return out;
}

json componentsOf(const IlqlLossResult& r)
{
    return {{"token_loss", scalar(r.tokenLoss)}, {"v_loss", scalar(r.vLoss)},     {"q_loss", scalar(r.qLoss)},
            {"cql_loss", scalar(r.cqlLoss)},     {"dm_loss", scalar(r.dmLoss)},   {"total_loss", scalar(r.total)}};
}

// A small batch of random head outputs in the golden's layout, for the hand-checked cases.
IlqlReferenceInputs randomInputs(uint64_t seed)
{
    torch::manual_seed(seed);
    IlqlReferenceInputs in;
    in.batch.tokens = torch::tensor({1, 6, 7, 2, 8, 9, 4, 5, 1, 10, 2, 6, 4, 7, 2, 0}, torch::kLong).view({2, 8});
    in.batch.attnMask = (in.batch.tokens != 0).to(torch::kFloat);
    in.batch.stateIdxs = torch::tensor({3, 4, 5, 7, 2, 3, 6, 0}, torch::kLong).view({2, 4});
    in.batch.actionIdxs = torch::tensor({3, 4, 5, 2, 3, 0}, torch::kLong).view({2, 3});
    in.batch.rewards = torch::tensor({0.f, 0.5f, 1.f, 0.f, -1.f, 0.f}).view({2, 3});
    in.batch.terminals = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f}).view({2, 4});
    in.logits = torch::randn({2, 8, 11});
    in.v = torch::randn({2, 8});
    in.q1 = torch::randn({2, 8, 11});
    in.q2 = torch::randn({2, 8, 11});
    in.tq1 = torch::randn({2, 8, 11});
    in.tq2 = torch::randn({2, 8, 11});
    return in;
}

} // namespace

class TestIlql : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    // ---- golden ------------------------------------------------------------------------------

    void goldenLoss_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<bool>("actionLogitsOnly");
        QTest::newRow("visdial_fixed_padding") << "visdial_fixed_padding" << false;
        QTest::newRow("visdial_fixed_padding/action-logits") << "visdial_fixed_padding" << true;
        QTest::newRow("single_row_no_padding") << "single_row_no_padding" << false;
        QTest::newRow("single_row_no_padding/action-logits") << "single_row_no_padding" << true;
    }
    void goldenLoss()
    {
        QFETCH(QString, entry);
        QFETCH(bool, actionLogitsOnly);
        HW_REQUIRE_GOLDEN(golden);
        const json& e = golden.at("loss").at(entry.toStdString());
        auto in = readIlqlReferenceInputs(golden);
        if (entry == "single_row_no_padding") {
            QCOMPARE(QString::fromStdString(e.at("heads").get<std::string>()), QStringLiteral("inputs.heads[*][1][:7]"));
            in = sliceIlqlReferenceRow(in, 1, 7, 2);   // row 1 alone: 2 actions, 3 states, non-terminal
        }
        const auto config = e.at("config").get<IlqlConfig>();
        const auto c = compute(in, config, actionLogitsOnly);
        const json got = componentsOf(c.r);
        const json& want = e.at("float32");
        double worst = 0.0;
        for (const char* k : kComponents) {
            const double err = relErr(got.at(k).get<double>(), want.at(k).get<double>());
            worst = std::max(worst, err);
            if (err > kRelTol)
                QFAIL(qPrintable(QString("%1: %2 = %3, reference %4 (rel. error %5)")
                                     .arg(entry, k).arg(got.at(k).get<double>(), 0, 'g', 9)
                                     .arg(want.at(k).get<double>(), 0, 'g', 9).arg(err)));
        }
        const double mcErr = relErr(scalar(c.d.vLossMc), want.at("v_loss_mc").get<double>());
        QVERIFY2(mcErr <= kRelTol, qPrintable(QString("v_loss_mc rel. error %1").arg(mcErr)));
        worst = std::max(worst, mcErr);
        // float64 reference too, when present (float32 rounding only).
        if (e.contains("float64"))
            for (const char* k : kComponents)
                QVERIFY(relErr(got.at(k).get<double>(), e.at("float64").at(k).get<double>()) <= kRelTol);
        qInfo("%s%s: max rel. error %.3g over the 6 components and v_loss_mc", qPrintable(entry),
              actionLogitsOnly ? " (action logits only)" : "", worst);
    }

    void goldenLossWithMcReturns()
    {
        HW_REQUIRE_GOLDEN(golden);
        for (const char* entry : {"visdial_fixed_padding", "single_row_no_padding"}) {
            const json& e = golden.at("loss").at(entry);
            auto in = readIlqlReferenceInputs(golden);
            if (std::string(entry) == "single_row_no_padding")
                in = sliceIlqlReferenceRow(in, 1, 7, 2);
            auto config = e.at("config").get<IlqlConfig>();
            config.loss_weights.mc_returns = true;
            const auto c = compute(in, config);
            const json& w = e.at("float32");
            QVERIFY(relErr(scalar(c.r.vLoss), w.at("v_loss_mc").get<double>()) <= kRelTol);
            const double total = w.at("total_loss").get<double>() - w.at("v_loss").get<double>()
                                 + w.at("v_loss_mc").get<double>();
            QVERIFY(relErr(scalar(c.r.total), total) <= kRelTol);
        }
    }

    void goldenIntermediates()
    {
        HW_REQUIRE_GOLDEN(golden);
        const json& e = golden.at("loss").at("visdial_fixed_padding");
        const auto in = readIlqlReferenceInputs(golden);
        const auto c = compute(in, e.at("config").get<IlqlConfig>());
        const json& w = e.at("intermediates_float32");
        const std::vector<std::pair<const char*, torch::Tensor>> pairs = {
            {"vs_at_states", c.d.vsAtStates},       {"select_tokens", c.d.selectTokens},
            {"q1_selected", c.d.q1Selected},        {"q2_selected", c.d.q2Selected},
            {"target_q_selected", c.d.targetQSelected}, {"v_t", c.d.vT},
            {"v_tp1", c.d.vTp1},                    {"mask_live", c.d.maskLive},
            {"n", c.d.n},                           {"reward_to_go", c.d.rewardToGo},
            {"awac_token_weights", c.d.awacTokenWeights}, {"token_ce", c.d.tokenCe}};
        QCOMPARE(int(pairs.size()), int(w.size()));   // every intermediate of the file is checked
        for (const auto& [key, t] : pairs) {
            QVERIFY2(w.contains(key), key);
            const double err = maxRelErr(t, w.at(key), key);
            QVERIFY2(err <= kRelTol, qPrintable(QString("%1: max rel. error %2").arg(key).arg(err)));
            qInfo("intermediate %-20s max rel. error %.3g", key, err);
        }
    }

    void goldenDecode_data()
    {
        QTest::addColumn<QString>("entry");
        if (!std::filesystem::exists(goldenPath())) {
            QTest::newRow("absent") << QString();
            return;
        }
        const json golden = json::parse(std::ifstream(goldenPath()));
        for (const auto& item : golden.at("decode").at("snell").items())
            QTest::newRow(item.key().c_str()) << QString::fromStdString(item.key());
    }
    void goldenDecode()
    {
        QFETCH(QString, entry);
        HW_REQUIRE_GOLDEN(golden);
        const json& d = golden.at("decode");
        const json& e = d.at("snell").at(entry.toStdString());
        const auto cfg = e.at("config").get<IlqlDecodeConfig>();
        const auto pad = golden.at("meta").at("vocab_roles").at("pad").get<int64_t>();
        // From the decode entry's own vectors ...
        const auto logits = jsonToTensor(d.at("logits"), torch::kFloat, "logits");
        const auto q = jsonToTensor(d.at("min_target_q"), torch::kFloat, "min_target_q");
        const auto v = torch::tensor(d.at("v").get<double>(), torch::kFloat);
        const auto out = ilqlDecode(logits, v, q, cfg, pad);
        const double pErr = maxRelErr(out.probs, e.at("probs"), "probs");
        const double lErr = maxRelErr(out.fullLogits, e.at("full_logits"), "full_logits");
        QVERIFY2(pErr <= kRelTol, qPrintable(QString("probs max rel. error %1").arg(pErr)));
        QVERIFY2(lErr <= kRelTol, qPrintable(QString("full_logits max rel. error %1").arg(lErr)));
        // ... and from the batch's heads at (row, position), through the heads' min.
        const auto in = readIlqlReferenceInputs(golden);
        const auto row = d.at("row").get<int64_t>(), pos = d.at("position").get<int64_t>();
        const auto q2 = torch::minimum(in.tq1[row][pos], in.tq2[row][pos]);
        const auto out2 = ilqlDecode(in.logits[row][pos], in.v[row][pos], q2, cfg, pad);
        QVERIFY(maxRelErr(out2.probs, e.at("probs"), "probs") <= kRelTol);
        QVERIFY(std::abs(out.probs.sum().item<double>() - 1.0) < 1e-6);
        qInfo("decode %s: probs max rel. error %.3g, full_logits %.3g", qPrintable(entry), pErr, lErr);
    }

    void goldenPolyak()
    {
        HW_REQUIRE_GOLDEN(golden);
        const json& p = golden.at("polyak");
        const auto online = jsonToTensor(p.at("online"), torch::kFloat, "online");
        auto target = jsonToTensor(p.at("target"), torch::kFloat, "target");
        polyakUpdate({target}, {online}, p.at("alpha").get<double>());
        const double err = maxRelErr(target, p.at("updated"), "updated");
        QVERIFY2(err <= kRelTol, qPrintable(QString("polyak max rel. error %1").arg(err)));
        qInfo("polyak: max rel. error %.3g", err);

        // The same through the heads: the target head's bias moves by the same rule.
        IlqlHeads heads(IlqlHeadsOptions{4, 5, true});
        torch::NoGradGuard noGrad;
        heads->q1->fc2->bias.copy_(online);
        heads->targetQ1->fc2->bias.copy_(jsonToTensor(p.at("target"), torch::kFloat, "target"));
        heads->polyakUpdate(p.at("alpha").get<double>());
        QVERIFY(maxRelErr(heads->targetQ1->fc2->bias, p.at("updated"), "updated") <= kRelTol);
    }

    // ---- configurations checked by hand -------------------------------------------------------

    void dmWeightAddsExactlyItsTerm()
    {
        const auto in = randomInputs(1);
        IlqlConfig c;
        const auto base = compute(in, c).r;
        c.loss_weights.dm_loss_weight = 0.37;
        const auto with = compute(in, c).r;
        QVERIFY(std::abs(scalar(with.dmLoss) - scalar(base.dmLoss)) < 1e-7);
        QVERIFY(std::abs(scalar(with.total) - (scalar(base.total) + 0.37 * scalar(base.dmLoss))) < 1e-5);
        QVERIFY(scalar(base.dmLoss) > 0.0);
    }

    void dmMarginByHand()
    {
        // One live slot, vocab 3, one Q head: DM = sum_a' max(Q(a') - Q(a) + m, 0)^2.
        IlqlReferenceInputs in = randomInputs(2);
        in = sliceIlqlReferenceRow(in, 0, 8, 3);
        IlqlConfig c;
        c.double_q = false;
        c.dm_margin = 0.25;
        const auto r = compute(in, c);
        const auto sel = r.d.selectTokens;
        double expected = 0.0;
        const auto rows = gatherPositions(in.q1, in.batch.actionIdxs)[0];
        for (int j = 0; j < 3; ++j) {
            const double qa = rows[j][sel[0][j].item<int64_t>()].item<double>();
            for (int a = 0; a < 11; ++a)
                expected += std::pow(std::max(rows[j][a].item<double>() - qa + 0.25, 0.0), 2);
        }
        QVERIFY(std::abs(scalar(r.r.dmLoss) - expected / 3.0) < 1e-4);
    }

    void mcReturnsSwitchesTheVTarget()
    {
        const auto in = randomInputs(3);
        IlqlConfig c;
        const auto q = compute(in, c);
        c.loss_weights.mc_returns = true;
        const auto mc = compute(in, c);
        QCOMPARE(scalar(mc.r.vLoss), scalar(q.d.vLossMc));
        QCOMPARE(scalar(q.r.vLoss), scalar(q.d.vLossQ));
        QVERIFY(std::abs(scalar(mc.r.total) - (scalar(q.r.total) - scalar(q.r.vLoss) + scalar(mc.r.vLoss))) < 1e-5);
        // Reward-to-go by hand, gamma 0.99: row 0 rewards 0, 0.5, 1.
        const auto rtg = ilqlRewardToGo(torch::tensor({0.f, 0.5f, 1.f}).view({1, 3}), 0.99);
        QVERIFY(std::abs(rtg[0][0].item<double>() - (0.5 * 0.99 + 0.99 * 0.99)) < 1e-6);
        QVERIFY(std::abs(rtg[0][1].item<double>() - (0.5 + 0.99)) < 1e-6);
        QVERIFY(std::abs(rtg[0][2].item<double>() - 1.0) < 1e-6);
    }

    void tauHalfIsHalfMse()
    {
        const auto in = randomInputs(4);
        IlqlConfig c;
        c.tau = 0.5;
        const auto r = compute(in, c);
        const auto d = r.d;
        const double mse = ((d.targetQSelected - d.vT).pow(2) * d.maskLive).sum().item<double>() / d.n.item<double>();
        QVERIFY(std::abs(scalar(r.r.vLoss) - 0.5 * mse) < 1e-6);
    }

    void valueClippingClipsTheTarget()
    {
        const auto in = randomInputs(5);
        IlqlConfig c;
        c.value_min = -0.1;
        c.value_max = 0.2;
        const auto r = compute(in, c);
        QVERIFY(r.d.targetQSelected.min().item<double>() >= -0.1 - 1e-7);
        QVERIFY(r.d.targetQSelected.max().item<double>() <= 0.2 + 1e-7);
        // Same as clipping the head outputs first (clip commutes with min and gather).
        auto clipped = in;
        clipped.tq1 = in.tq1.clamp(-0.1, 0.2);
        clipped.tq2 = in.tq2.clamp(-0.1, 0.2);
        IlqlConfig plain;
        const auto r2 = compute(clipped, plain);
        QCOMPARE(scalar(r.r.vLoss), scalar(r2.r.vLoss));
        QCOMPARE(scalar(r.r.total), scalar(r2.r.total));
        // Only one bound set.
        IlqlConfig lower;
        lower.value_min = 0.0;
        QVERIFY(compute(in, lower).d.targetQSelected.min().item<double>() >= 0.0);
    }

    void awacWeights()
    {
        const auto in = randomInputs(6);
        IlqlConfig c;
        c.beta = 2.0;
        auto r = compute(in, c);
        const auto adv = r.d.targetQSelected - r.d.vT;
        const auto w = r.d.awacTokenWeights;   // [B,T]
        for (int j = 0; j < 3; ++j)
            QVERIFY(std::abs(w[0][in.batch.actionIdxs[0][j].item<int64_t>()].item<double>()
                             - std::exp(2.0 * adv[0][j].item<double>())) < 1e-5);
        QCOMPARE(w[1][0].item<double>(), 0.0);   // padded slot of row 1 (index 0) gets no weight
        // Clip and sign-based weights.
        c.clip_weight = 1.0;
        r = compute(in, c);
        QVERIFY(r.d.awacTokenWeights.max().item<double>() <= 1.0);
        c.clip_weight.reset();
        c.exp_weights = false;
        c.beta = 0.9;
        r = compute(in, c);
        for (int j = 0; j < 3; ++j) {
            const double expect = adv[0][j].item<double>() > 0 ? 0.9 : 0.1;
            QVERIFY(std::abs(r.d.awacTokenWeights[0][in.batch.actionIdxs[0][j].item<int64_t>()].item<double>() - expect) < 1e-6);
        }
    }

    void transitionWeightNeedsFullLogits()
    {
        const auto in = randomInputs(7);
        IlqlConfig c;
        c.transition_weight = 0.1;
        const auto r = compute(in, c);
        // Non-action attended positions weigh 0.1.
        QCOMPARE(r.d.awacTokenWeights[0][0].item<float>(), 0.1f);
        QVERIFY(scalar(r.r.tokenLoss) > scalar(compute(in, IlqlConfig{}).r.tokenLoss));
        QVERIFY_THROWS_EXCEPTION(Error, compute(in, c, /*actionLogitsOnly=*/true));
        // Clipping the transition weight to 0 makes the action-logits path valid again.
        c.clip_weight = 0.0;
        QCOMPARE(scalar(compute(in, c, true).r.tokenLoss), 0.0);
    }

    void actionLogitsPathMatchesFullPath()
    {
        const auto in = randomInputs(8);
        IlqlConfig c;
        c.beta = 1.5;
        c.clip_weight = 3.0;
        const auto full = compute(in, c).r, act = compute(in, c, true).r;
        QVERIFY(std::abs(scalar(full.tokenLoss) - scalar(act.tokenLoss)) < 1e-6);
        QVERIFY(std::abs(scalar(full.total) - scalar(act.total)) < 1e-5);
    }

    void paddedSlotsDoNotMatter()
    {
        // Anything at row 1's padded slot (action index 0, state index 0) leaves the loss alone.
        const auto in = randomInputs(9);
        auto other = in;
        other.v = in.v.clone();
        other.q1 = in.q1.clone();
        other.q2 = in.q2.clone();
        other.tq1 = in.tq1.clone();
        other.logits = in.logits.clone();
        other.batch.rewards = in.batch.rewards.clone();
        other.q1[1][0].fill_(50.f);
        other.q2[1][0].fill_(-50.f);
        other.tq1[1][0].fill_(9.f);
        other.logits[1][0].fill_(3.f);
        other.batch.rewards[1][2] = 7.f;
        IlqlConfig c;
        c.loss_weights.dm_loss_weight = 1.0;
        const auto a = componentsOf(compute(in, c).r), b = componentsOf(compute(other, c).r);
        for (const char* k : kComponents)
            QVERIFY2(std::abs(a.at(k).get<double>() - b.at(k).get<double>()) < 1e-6, k);
        // An explicit action mask gives the same as the derived one.
        auto explicitMask = in;
        explicitMask.batch.actionMask = torch::tensor({1.f, 1.f, 1.f, 1.f, 1.f, 0.f}).view({2, 3});
        QCOMPARE(componentsOf(compute(explicitMask, c).r).dump(), a.dump());
    }

    void singleQHeadAndCqlTemperature()
    {
        const auto in = randomInputs(10);
        IlqlConfig c;
        c.double_q = false;
        auto single = in;
        single.q2 = torch::Tensor();
        single.tq2 = torch::Tensor();
        const auto r = compute(single, c);
        // CQL by hand for one head: mean over live slots of CE(Q rows, taken token).
        const auto rows = gatherPositions(in.q1, in.batch.actionIdxs);
        const auto ce = torch::nn::functional::cross_entropy(
            rows.reshape({-1, 11}), r.d.selectTokens.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)).view({2, 3});
        QVERIFY(std::abs(scalar(r.r.cqlLoss) - (ce * r.d.maskLive).sum().item<double>() / 5.0) < 1e-6);
        c.cql_temp = 2.0;
        const auto ce2 = torch::nn::functional::cross_entropy(
            rows.reshape({-1, 11}) / 2.0, r.d.selectTokens.reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)).view({2, 3});
        QVERIFY(std::abs(scalar(compute(single, c).r.cqlLoss) - (ce2 * r.d.maskLive).sum().item<double>() / 5.0) < 1e-6);
    }

    void qLossByHandAndGradientsStopAtTargets()
    {
        const auto in = randomInputs(11);
        IlqlConfig c;
        auto heads = gatherReferenceHeads(in, true);
        heads.vStates = heads.vStates.clone().requires_grad_(true);
        heads.q1 = heads.q1.clone().requires_grad_(true);
        heads.q2 = heads.q2.clone().requires_grad_(true);
        IlqlPolicyOutputs policy;
        policy.logits = in.logits.clone().requires_grad_(true);
        IlqlLossDetail d;
        const auto r = ilqlLoss(in.batch, heads, policy, c, &d);
        // Q loss by hand.
        const auto bell = (1 - in.batch.terminals.slice(1, 1)) * d.vTp1 * 0.99 + in.batch.rewards;
        const double q = (((bell - d.q1Selected).pow(2) + (bell - d.q2Selected).pow(2)) * d.maskLive).sum().item<double>() / 5.0;
        QVERIFY(std::abs(scalar(r.qLoss) - q) < 1e-5);
        // The Q loss does not move V (V(s') is detached).
        const auto gv = torch::autograd::grad({r.qLoss}, {heads.vStates}, {}, true, false, true)[0];
        QVERIFY(!gv.defined() || gv.abs().sum().item<double>() == 0.0);
        // The V loss moves V only at live current states; never the terminal/padded ones.
        const auto gv2 = torch::autograd::grad({r.vLoss}, {heads.vStates}, {}, true)[0];
        QCOMPARE(gv2[0][3].item<double>(), 0.0);
        QCOMPARE(gv2[1][2].item<double>(), 0.0);
        QVERIFY(gv2[0][0].item<double>() != 0.0);
        // The total moves the policy, Q1, Q2 and V.
        r.total.backward();
        QVERIFY(heads.q1.grad().abs().sum().item<double>() > 0);
        QVERIFY(heads.q2.grad().abs().sum().item<double>() > 0);
        QVERIFY(policy.logits.grad().abs().sum().item<double>() > 0);
        QCOMPARE(heads.q1.grad()[1][2].abs().sum().item<double>(), 0.0);   // padded slot
    }

    void zeroWeightTermsBuildNoGraph()
    {
        const auto in = randomInputs(12);
        IlqlConfig c;    // dm_loss_weight 0
        auto heads = gatherReferenceHeads(in, true);
        heads.q1 = heads.q1.clone().requires_grad_(true);
        heads.q2 = heads.q2.clone().requires_grad_(true);
        heads.vStates = heads.vStates.clone().requires_grad_(true);
        IlqlPolicyOutputs policy;
        policy.logits = in.logits;
        const auto r = ilqlLoss(in.batch, heads, policy, c);
        QVERIFY(!r.dmLoss.requires_grad());
        QVERIFY(r.cqlLoss.requires_grad());
        QVERIFY(r.total.requires_grad());
    }

    void noLiveSlotsGivesZeroNotNan()
    {
        auto in = randomInputs(13);
        in.batch.terminals.fill_(1.f);
        const auto r = compute(in, IlqlConfig{}).r;
        for (const auto& t : {r.vLoss, r.qLoss, r.cqlLoss, r.dmLoss})
            QCOMPARE(t.item<double>(), 0.0);
        QVERIFY(std::isfinite(scalar(r.total)));
    }

    void badBatchesAreRefused()
    {
        auto in = randomInputs(14);
        auto bad = in;
        bad.batch.stateIdxs = in.batch.stateIdxs.slice(1, 0, 3);
        QVERIFY_THROWS_EXCEPTION(Error, compute(bad, IlqlConfig{}));
        bad = in;
        bad.batch.actionIdxs = in.batch.actionIdxs.clone();
        bad.batch.actionIdxs[0][2] = 7;   // would predict a token past the end
        QVERIFY_THROWS_EXCEPTION(Error, compute(bad, IlqlConfig{}));
        bad = in;
        bad.q2 = torch::Tensor();
        QVERIFY_THROWS_EXCEPTION(Error, gatherReferenceHeads(bad, true));
    }

    // ---- heads --------------------------------------------------------------------------------

    void headsAtSlotsEqualFullForward()
    {
        torch::manual_seed(3);
        IlqlHeads heads(IlqlHeadsOptions{16, 23, true});
        // Make targets differ from the online heads.
        {
            torch::NoGradGuard g;
            for (auto& p : heads->targetQ2->parameters())
                p.add_(torch::randn_like(p) * 0.1);
        }
        const auto hidden = torch::randn({2, 8, 16});
        IlqlSlots slots;
        slots.stateIdxs = torch::tensor({3, 4, 5, 7, 2, 3, 6, 0}, torch::kLong).view({2, 4});
        slots.actionIdxs = torch::tensor({3, 4, 5, 2, 3, 0}, torch::kLong).view({2, 3});
        const auto tokens = torch::randint(0, 23, {2, 8}, torch::kLong);
        slots.selectTokens = ilqlSelectTokens(tokens, slots.actionIdxs);
        const auto out = heads->forward(hidden, torch::Tensor(), slots);
        QCOMPARE(out.vStates.sizes().vec(), (std::vector<int64_t>{2, 4}));
        QCOMPARE(out.q1.sizes().vec(), (std::vector<int64_t>{2, 3, 23}));
        const auto vFull = heads->values(hidden);
        QVERIFY(torch::allclose(out.vStates, vFull.gather(1, slots.stateIdxs)));
        const auto tqFull = heads->targetQValues(hidden);                        // [2,8,23]
        const auto expect = gatherPositions(tqFull, slots.actionIdxs).gather(2, slots.selectTokens.unsqueeze(2)).squeeze(2);
        QVERIFY(torch::allclose(out.targetQSelected, expect, 1e-5, 1e-6));
        QVERIFY(!out.targetQSelected.requires_grad());
        QVERIFY(out.q1.requires_grad());
        // A separate target trunk's hidden states are used for the targets only.
        const auto other = torch::randn({2, 8, 16});
        const auto out2 = heads->forward(hidden, other, slots);
        QVERIFY(torch::allclose(out2.q1, out.q1));
        const auto expect2 = gatherPositions(heads->targetQValues(other), slots.actionIdxs)
                                 .gather(2, slots.selectTokens.unsqueeze(2)).squeeze(2);
        QVERIFY(torch::allclose(out2.targetQSelected, expect2, 1e-5, 1e-6));
    }

    void headsTargetsStartEqualAndTrackOnline()
    {
        torch::manual_seed(4);
        IlqlHeads heads(IlqlHeadsOptions{8, 10, true});
        for (const auto& [a, b] : {std::pair{heads->q1, heads->targetQ1}, {heads->q2, heads->targetQ2}})
            for (size_t i = 0; i < a->parameters().size(); ++i)
                QVERIFY(torch::equal(a->parameters()[i], b->parameters()[i]));
        for (const auto& p : heads->targetQ1->parameters())
            QVERIFY(!p.requires_grad());
        QCOMPARE(int(heads->onlineParameters().size()), 12);   // V, Q1, Q2: 2 linears each
        // Structure: Linear(h,2h) -> ReLU -> Linear(2h,out).
        QCOMPARE(heads->v->fc1->weight.sizes().vec(), (std::vector<int64_t>{16, 8}));
        QCOMPARE(heads->q1->fc2->weight.sizes().vec(), (std::vector<int64_t>{10, 16}));
        {
            torch::NoGradGuard g;
            heads->q1->fc2->weight.add_(1.0);
        }
        const auto before = heads->targetQ1->fc2->weight.clone();
        heads->polyakUpdate(0.005);
        const auto expect = heads->q1->fc2->weight * 0.005 + before * 0.995;
        QVERIFY(torch::allclose(heads->targetQ1->fc2->weight, expect, 1e-6, 1e-7));
        heads->hardUpdate();
        QVERIFY(torch::equal(heads->targetQ1->fc2->weight, heads->q1->fc2->weight));
        QVERIFY_THROWS_EXCEPTION(Error, polyakUpdate({torch::zeros({2})}, {torch::zeros({3})}, 0.1));
    }

    void decodeFilters()
    {
        const auto logits = torch::tensor({1.f, 3.f, 2.f, 0.f, -1.f});
        // top-k keeps exactly k.
        const auto k2 = ilqlFilterLogits(logits, 1.0, 2, std::nullopt);
        QCOMPARE(torch::isfinite(k2).sum().item<int64_t>(), int64_t(2));
        QVERIFY(std::isfinite(k2[1].item<float>()) && std::isfinite(k2[2].item<float>()));
        // top-p: the smallest prefix reaching p (the reference keeps one past the last <= p).
        const auto p = torch::softmax(logits, -1);
        const double top1 = p[1].item<double>();
        const auto p1 = ilqlFilterLogits(logits, 1.0, std::nullopt, top1 * 0.5);
        QCOMPARE(torch::isfinite(p1).sum().item<int64_t>(), int64_t(1));
        const auto p2 = ilqlFilterLogits(logits, 1.0, std::nullopt, top1 + 1e-4);
        QCOMPARE(torch::isfinite(p2).sum().item<int64_t>(), int64_t(2));
        QCOMPARE(torch::isfinite(ilqlFilterLogits(logits, 1.0, std::nullopt, 1.0)).sum().item<int64_t>(), int64_t(5));
        // Temperature divides.
        QVERIFY(torch::allclose(ilqlFilterLogits(logits, 0.5, std::nullopt, std::nullopt), logits * 2));
    }

    void decodeIsPiBetaTimesExpAdvantage()
    {
        torch::manual_seed(5);
        const auto logits = torch::randn({3, 7}), q = torch::randn({3, 7}), v = torch::randn({3});
        IlqlDecodeConfig c;
        c.adv_weight = 2.5;
        const auto out = ilqlDecode(logits, v, q, c, std::nullopt);
        const auto expect = torch::softmax(torch::log_softmax(logits, -1) + 2.5 * (q - v.unsqueeze(1)), -1);
        QVERIFY(torch::allclose(out.probs, expect, 1e-5, 1e-7));
        // beta = 0 is pi_beta itself; include_adv off likewise.
        c.adv_weight = 0.0;
        QVERIFY(torch::allclose(ilqlDecode(logits, v, q, c, std::nullopt).probs, torch::softmax(logits, -1), 1e-5, 1e-7));
        c.adv_weight = 3.0;
        c.include_adv = false;
        QVERIFY(torch::allclose(ilqlDecode(logits, v, q, c, std::nullopt).probs, torch::softmax(logits, -1), 1e-5, 1e-7));
        // Masked token never sampled.
        c.include_adv = true;
        QCOMPARE(ilqlDecode(logits, v, q, c, int64_t(4)).probs.select(1, 4).sum().item<double>(), 0.0);
        // Sign-based advantage with a probability-like weight.
        c.exp_adv = false;
        c.adv_weight = 0.8;
        const auto s = ilqlDecode(logits, v, q, c, std::nullopt);
        const auto sign = (q - v.unsqueeze(1) > 0).to(torch::kFloat);
        const auto e2 = torch::softmax(logits + torch::log(sign * 0.8 + (1 - sign) * 0.2), -1);
        QVERIFY(torch::allclose(s.probs, e2, 1e-5, 1e-7));
        c.adv_weight = 4.0;
        QVERIFY_THROWS_EXCEPTION(Error, ilqlDecode(logits, v, q, c, std::nullopt));
    }

    // ILQL decoding with separate trunks (π_β + value trunk + target trunk, the trainer's separate
    // layout with targets = trunk): the value and target trunks decode alongside π_β on their own KV
    // caches. Cached decoding, full recomputation in every trunk, and the per-token recomputation
    // of the value trunks without companions (the old path) give the same tokens and the same
    // distributions, across left-padded prompts whose rows finish at different steps.
    void separateTrunksDecodeOnTheirOwnCaches_data()
    {
        QTest::addColumn<bool>("targetTrunk");
        QTest::newRow("value trunk") << false;
        QTest::newRow("value + target trunks") << true;
    }
    void separateTrunksDecodeOnTheirOwnCaches()
    {
        QFETCH(bool, targetTrunk);
        torch::manual_seed(11);
        const int64_t vocab = 40;
        const ModelConfig cfg = ModelConfig::tiny(vocab);
        IlqlDecodingModel dm;
        dm.trunk = Transformer(cfg);
        dm.valueTrunk = Transformer(cfg);
        if (targetTrunk)
            dm.targetTrunk = Transformer(cfg);
        IlqlHeadsOptions ho;
        ho.hidden = cfg.hiddenSize;
        ho.vocab = vocab;
        dm.heads = IlqlHeads(ho);
        {
            torch::NoGradGuard g;
            for (auto& p : dm.heads->parameters())
                p.normal_(0.0, 0.3);   // advantages far from zero, so the trunks' values matter
        }
        dm.config = IlqlConfig::paperDefaults();
        QCOMPARE(ilqlCompanionTrunks(dm).size(), size_t(targetTrunk ? 2 : 1));
        IlqlDecodeConfig dc;
        dc.adv_weight = 2.0;
        dc.temp = 0.8;
        dc.top_k = 12;

        const std::vector<std::vector<int64_t>> prompts = {{1, 5, 9, 14, 2}, {1, 7, 7, 30, 12, 8, 21, 4}, {1, 3}};
        struct Run {
            std::vector<std::vector<int64_t>> tokens;
            std::map<std::pair<int64_t, int64_t>, torch::Tensor> probs;   // (row, step) -> final distribution
            std::map<std::pair<int64_t, int64_t>, torch::Tensor> raw;     // (row, step) -> raw logits
            size_t companionsSeen = 0;
            int mismatches = 0;
        };
        std::vector<int64_t> stopTokens;
        auto run = [&](bool cache, bool companions) {
            GenerationOptions go;
            go.sampling = ilqlSamplingOptions(dc, 17);
            go.maxNewTokens = 14;
            go.stopTokens = stopTokens;
            go.useCache = cache;
            if (companions)
                go.companions = ilqlCompanionTrunks(dm);
            const LogitsHook ilql = ilqlLogitsHook(dm, dc);
            Run out;
            const LogitsHook hook = [&](const torch::Tensor& logits, const LogitsHookContext& ctx) {
                out.companionsSeen = std::max(out.companionsSeen, ctx.companionHidden.size());
                const auto replaced = ilql(logits, ctx);
                const auto probs = torch::softmax(replaced, -1);
                // The engine's distribution is the golden-tested one: ilqlDecode on π_β's raw
                // logits and the values at this position.
                const auto iv = ilqlValuesAt(dm, ctx);
                const auto golden = ilqlDecode(ctx.rawLogits, iv.v, iv.q, dc, std::nullopt).probs;
                if (!torch::allclose(probs, golden, 1e-5, 1e-7))
                    ++out.mismatches;
                for (int64_t i = 0; i < ctx.rows.size(0); ++i) {
                    const auto key = std::make_pair(ctx.rows[i].item<int64_t>(), ctx.step);
                    out.probs[key] = probs[i].clone();
                    out.raw[key] = ctx.rawLogits[i].clone();
                }
                return replaced;
            };
            out.tokens = generate(dm.trunk, prompts, go, hook).tokens;
            return out;
        };
        // Stop tokens taken from a first run, so that rows end at different steps (the cache then
        // drops finished rows in every trunk).
        const Run first = run(true, true);
        stopTokens = {first.tokens[1][3]};
        const Run cached = run(true, true);
        const Run full = run(false, true);
        const Run recomputed = run(true, false);
        QCOMPARE(cached.companionsSeen, ilqlCompanionTrunks(dm).size());
        QCOMPARE(cached.mismatches, 0);
        QCOMPARE(full.mismatches, 0);
        QCOMPARE(recomputed.mismatches, 0);
        QCOMPARE(recomputed.companionsSeen, size_t(0));
        QCOMPARE(cached.tokens, full.tokens);
        QCOMPARE(cached.tokens, recomputed.tokens);
        QVERIFY2(cached.tokens[0].size() != cached.tokens[1].size() || cached.tokens[1].size() != cached.tokens[2].size(),
                 qPrintable(QStringLiteral("%1 %2 %3").arg(cached.tokens[0].size()).arg(cached.tokens[1].size())
                                .arg(cached.tokens[2].size())));
        QCOMPARE(cached.probs.size(), full.probs.size());
        double largestAdvantageEffect = 0.0;
        for (const auto& [key, p] : cached.probs) {
            QVERIFY2(torch::allclose(p, full.probs.at(key), 1e-4, 1e-6), qPrintable(QString::number(key.second)));
            QVERIFY(torch::allclose(p, recomputed.probs.at(key), 1e-4, 1e-6));
            // The raw logits are π_β's own: a full forward of the sequence so far, unfiltered.
            std::vector<int64_t> seq = prompts[size_t(key.first)];
            seq.insert(seq.end(), cached.tokens[size_t(key.first)].begin(),
                       cached.tokens[size_t(key.first)].begin() + key.second);
            torch::NoGradGuard g;
            const auto logits = dm.trunk->forward(torch::tensor(seq, torch::kLong).unsqueeze(0)).logits[0][-1];
            QVERIFY(torch::allclose(cached.raw.at(key), logits.to(torch::kFloat), 1e-4, 1e-5));
            // The advantage moved the distribution away from filtered π_β (β = 2 is not a no-op).
            const auto filtered = ilqlFilterLogits(logits.to(torch::kFloat).unsqueeze(0), dc.temp, dc.top_k, dc.top_p);
            largestAdvantageEffect = std::max(largestAdvantageEffect,
                                              (p - torch::softmax(filtered[0], -1)).abs().max().item<double>());
        }
        QVERIFY2(largestAdvantageEffect > 0.05, qPrintable(QString::number(largestAdvantageEffect)));

        // A companion that cannot read π_β's tokens is refused with a clear error.
        GenerationOptions bad;
        bad.companions = {Transformer(ModelConfig::tiny(vocab - 5))};
        QVERIFY_THROWS_EXCEPTION(Error, generate(dm.trunk, prompts, bad));
    }

    // ---- configuration JSON -------------------------------------------------------------------

    // The fused per-row op equals the composition of log_softmax / gather it replaces, values and
    // gradients, across block boundaries (N not a multiple of the block) and temperatures.
    void fusedRowLogSumExpMatchesComposedOps_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("vocab");
        QTest::addColumn<double>("temp");
        QTest::newRow("one block") << 7 << 50 << 1.0;
        QTest::newRow("many blocks, temp 0.5") << 300 << 2000 << 0.5;
        QTest::newRow("temp 2") << 33 << 9000 << 2.0;
    }
    void fusedRowLogSumExpMatchesComposedOps()
    {
        QFETCH(int, rows);
        QFETCH(int, vocab);
        QFETCH(double, temp);
        torch::manual_seed(rows);
        const auto base = torch::randn({rows, vocab}, torch::kDouble) * 3;
        const auto idx = torch::randint(0, vocab, {rows}, torch::kLong);
        const auto gSel = torch::randn({rows}, torch::kDouble), gLse = torch::randn({rows}, torch::kDouble);

        auto x1 = base.clone().requires_grad_(true);
        const auto r = rowLogSumExpGather(x1, idx, temp, true);
        (r.selected * gSel + r.logSumExp * gLse).sum().backward();

        auto x2 = base.clone().requires_grad_(true);
        const auto logp = torch::log_softmax(x2 / temp, -1);
        const auto sel = x2.gather(1, idx.unsqueeze(1)).squeeze(1);
        const auto lse = torch::logsumexp(x2 / temp, -1);
        (sel * gSel + lse * gLse).sum().backward();
        const auto entropy = -(logp.exp() * logp).sum(-1);

        QVERIFY(torch::allclose(r.selected, sel, 1e-12, 1e-12));
        QVERIFY(torch::allclose(r.logSumExp, lse, 1e-10, 1e-10));
        QVERIFY(torch::allclose(r.logSumExp - r.softmaxMean, entropy.detach(), 1e-9, 1e-9));
        QVERIFY(!r.softmaxMean.requires_grad());
        QVERIFY(torch::allclose(x1.grad(), x2.grad(), 1e-10, 1e-12));

        // Cross-entropy through it equals torch's (float32, the training dtype).
        auto xf = base.to(torch::kFloat).requires_grad_(true);
        const auto rf = rowLogSumExpGather(xf, idx, 1.0);
        const auto ce = torch::nn::functional::cross_entropy(base.to(torch::kFloat), idx,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        QVERIFY(torch::allclose(rf.logSumExp - rf.selected, ce, 1e-5, 1e-5));
        QVERIFY_THROWS_EXCEPTION(Error, rowLogSumExpGather(base, idx.narrow(0, 0, rows - 1)));
        QVERIFY_THROWS_EXCEPTION(Error, rowLogSumExpGather(base, idx, 0.0));
    }

    // The trainer's packed layout (vocabulary rows only at real action slots) gives the same loss
    // and the same gradients as the [B,A,V] layout, with every term weighted.
    void packedSlotsEqualUnpacked()
    {
        const auto in = randomInputs(12);
        IlqlConfig c;
        c.loss_weights.dm_loss_weight = 0.7;
        c.cql_temp = 0.5;
        c.beta = 1.5;
        auto run = [&](bool packed) {
            auto heads = gatherReferenceHeads(in, true);
            auto actionLogits = gatherPositions(in.logits, in.batch.actionIdxs);
            if (packed) {
                heads.packed = ilqlPackedSlots(ilqlRealSlots(in.batch));
                heads.q1 = ilqlPackRows(heads.q1, heads.packed);
                heads.q2 = ilqlPackRows(heads.q2, heads.packed);
                actionLogits = ilqlPackRows(actionLogits, heads.packed);
            }
            heads.q1 = heads.q1.detach().requires_grad_(true);
            heads.q2 = heads.q2.detach().requires_grad_(true);
            actionLogits = actionLogits.detach().requires_grad_(true);
            IlqlPolicyOutputs policy;
            policy.actionLogits = actionLogits;
            const auto r = ilqlLoss(in.batch, heads, policy, c);
            r.total.backward();
            // Gradients of the real slots, in slot order.
            std::vector<torch::Tensor> g = {heads.q1.grad(), heads.q2.grad(), actionLogits.grad()};
            if (!packed) {
                const auto p = ilqlPackedSlots(ilqlRealSlots(in.batch));
                for (auto& t : g)
                    t = ilqlPackRows(t, p);
            }
            return std::make_pair(componentsOf(r), g);
        };
        const auto [a, ga] = run(false);
        const auto [b, gb] = run(true);
        QCOMPARE(ilqlPackedSlots(ilqlRealSlots(in.batch)).size(0), int64_t(5)); // 6 slots, 1 padded
        for (const char* k : kComponents)
            QVERIFY2(std::abs(a.at(k).get<double>() - b.at(k).get<double>()) < 1e-5, k);
        for (size_t i = 0; i < ga.size(); ++i)
            QVERIFY2(torch::allclose(ga[i], gb[i], 1e-5, 1e-6), qPrintable(QString::number(i)));
        // A packed Q with the wrong number of rows is a clear error.
        auto bad = gatherReferenceHeads(in, true);
        bad.packed = torch::tensor({0, 1}, torch::kLong);
        bad.q1 = ilqlPackRows(bad.q1, torch::tensor({0, 1, 2}, torch::kLong));
        IlqlPolicyOutputs policy;
        policy.logits = in.logits;
        QVERIFY_THROWS_EXCEPTION(Error, ilqlLoss(in.batch, bad, policy, c));
    }

    void configJson()
    {
        IlqlConfig c;
        c.value_max = 2.0;
        c.clip_weight = 5.0;
        c.loss_weights.mc_returns = true;
        const json j = c;
        QVERIFY(j.at("value_min").is_null());
        QCOMPARE(j.at("value_max").get<double>(), 2.0);
        const auto back = j.get<IlqlConfig>();
        QCOMPARE(json(back).dump(), j.dump());
        // Paper defaults.
        const auto d = IlqlConfig::paperDefaults();
        QCOMPARE(d.gamma, 0.99);
        QCOMPARE(d.tau, 0.8);
        QCOMPARE(d.loss_weights.cql_loss_weight, 1.0);
        QCOMPARE(d.loss_weights.awac_weight, 1.0);
        QCOMPARE(d.beta, 0.0);
        // Partial objects keep defaults; unknown keys and bad values are refused with their name.
        const auto partial = json::parse(R"({"tau": 0.7, "loss_weights": {"dm_loss_weight": 0.5}})").get<IlqlConfig>();
        QCOMPARE(partial.tau, 0.7);
        QCOMPARE(partial.gamma, 0.99);
        QCOMPARE(partial.loss_weights.dm_loss_weight, 0.5);
        QCOMPARE(partial.loss_weights.q_loss_weight, 1.0);
        auto refused = [](const char* text, const char* mentions) {
            try {
                (void)json::parse(text).get<IlqlConfig>();
            } catch (const Error& e) {
                return std::string(e.what()).find(mentions) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused(R"({"tua": 0.7})", "tua"));
        QVERIFY(refused(R"({"loss_weights": {"cql_weight": 1}})", "cql_weight"));
        QVERIFY(refused(R"({"tau": 1.5})", "tau"));
        QVERIFY(refused(R"({"gamma": "high"})", "gamma"));
        QVERIFY(refused(R"({"value_min": 1, "value_max": 0})", "value_min"));
        QVERIFY(refused(R"({"fix_padding_mask": false})", "fix_padding_mask"));
        QCOMPARE(json::parse(R"({"fix_padding_mask": true})").get<IlqlConfig>().tau, 0.8);

        IlqlDecodeConfig dc;
        dc.top_k = 5;
        const json dj = dc;
        QCOMPARE(dj.at("top_k").get<int>(), 5);
        QVERIFY(dj.at("adv_clip").is_null());
        QCOMPARE(json(dj.get<IlqlDecodeConfig>()).dump(), dj.dump());
        QVERIFY_THROWS_EXCEPTION(Error, json::parse(R"({"top_k": 0})").get<IlqlDecodeConfig>());
        QVERIFY_THROWS_EXCEPTION(Error, json::parse(R"({"temperature": 1})").get<IlqlDecodeConfig>());
    }

    // The model section of the authors' config/vis_dial/train_iql.yaml, ILQL keys only.
    void referenceModelOptions()
    {
        const auto c = json::parse(R"({"alpha": 0.005, "gamma": 0.99, "beta": 0.0, "transition_weight": 0.0,
            "clip_weight": null, "value_max": null, "value_min": null, "detach_v": false, "detach_q": false,
            "detach_pi": false, "double_q": true, "seperate_policy": true, "seperate_target": true, "tau": 0.8,
            "exp_weights": true, "dm_margin": 0.0, "advanced_mlp": false, "cql_temp": 1.0})").get<IlqlConfig>();
        QCOMPARE(c.alpha.value_or(-1), 0.005);
        QCOMPARE(c.seperate_policy.value_or(false), true);
        QCOMPARE(c.seperate_target.value_or(false), true);
        QVERIFY(c.unsupportedTrainingOptions().empty());
        QCOMPARE(int(c.headOutputNotes().size()), 3);
        // Round trip keeps them; an unset option is not written.
        const json j = c;
        QCOMPARE(j.at("alpha").get<double>(), 0.005);
        QVERIFY(!j.contains("detach_v"));
        QCOMPARE(json(j.get<IlqlConfig>()).dump(), j.dump());
        QVERIFY(!json(IlqlConfig{}).contains("alpha"));

        // Values this engine does not train with are read, and named with the reason.
        const auto d = json::parse(R"({"detach_v": true, "advanced_mlp": true})").get<IlqlConfig>();
        const auto why = d.unsupportedTrainingOptions();
        QCOMPARE(int(why.size()), 2);
        QVERIFY(why[0].find("detach_v") != std::string::npos && why[0].find("not implemented") != std::string::npos);
        QVERIFY(why[1].find("advanced_mlp") != std::string::npos);
        QCOMPARE(json(d).at("detach_v").get<bool>(), true);

        auto refused = [](const char* text, const char* mentions) {
            try {
                (void)json::parse(text).get<IlqlConfig>();
            } catch (const Error& e) {
                return std::string(e.what()).find(mentions) != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused(R"({"alpha": 0})", "alpha"));
        QVERIFY(refused(R"({"alpha": 1.5})", "alpha"));
        QVERIFY(refused(R"({"detach_q": 1})", "detach_q"));
        QVERIFY(refused(R"({"seperate_target": "yes"})", "seperate_target"));
        QVERIFY(refused(R"({"separate_target": true})", "separate_target")); // our spelling is not theirs
        QVERIFY(refused(R"({"load": {"checkpoint_path": null}})", "model-loading"));
        QVERIFY(refused(R"({"name": "per_token_iql"})", "model-loading"));
    }
};

QTEST_APPLESS_MAIN(TestIlql)
#include "tst_core_ilql.moc"
