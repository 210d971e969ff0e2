#include "core/train/reward_trainer.h"
#include "core/dist/tokens_hash.h"

#include "core/model/device.h"
#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/length_bucket_batcher.h"
#include "core/train/rng_state.h"
#include "core/train/train_session.h"
#include "core/util/error.h"

#include <cmath>

namespace hw {


std::vector<RewardExample> makeRewardExamples(const DialogueCodec& baseCodec, const std::vector<Dialogue>& dialogues,
                                              int64_t maxSeqLen)
{
    CodecOptions opts = baseCodec.options();
    opts.maxTokens = maxSeqLen;
    opts.truncate = TruncateSide::Left;
    const DialogueCodec codec(baseCodec.tokenizer(), opts);
    std::vector<RewardExample> out;
    for (const auto& d : dialogues)
        if (d.reward)
            out.push_back({codec.encode(d), *d.reward});
    return out;
}

struct RewardTrainer::Impl {
    RewardModel model{nullptr};
    std::optional<Tokenizer> tokenizer;
    LmTrainConfig config;
    torch::Device device{torch::kCPU};
    std::unique_ptr<AdamW> optimizer;
    TrainState state;
    std::optional<LrScheduleConfig> savedSchedule;
    bool lengthOverridden = false; // overrideBudget changed the run's length: recompute the end
    bool statsFixed = false;  // resumed: keep the checkpoint's normalisation
    std::string savedFingerprint, fingerprint;
    std::vector<RewardExample> train, valid;

    BatcherOptions batcherOptions(bool shuffle) const
    {
        BatcherOptions o;
        o.batchSize = config.batchSize;
        o.maxTokens = config.maxBatchTokens;
        o.shuffle = shuffle;
        o.seed = config.seed;
        return o;
    }
    static std::vector<int64_t> lengthsOf(const std::vector<RewardExample>& rows)
    {
        std::vector<int64_t> out;
        for (const auto& r : rows)
            out.push_back(static_cast<int64_t>(r.encoded.tokens.size()));
        return out;
    }
    int64_t totalSteps() const
    {
        if (savedSchedule && !lengthOverridden)
            return savedSchedule->totalSteps;
        if (config.maxSteps > 0)
            return config.maxSteps;
        const LengthBucketBatcher b(lengthsOf(train), batcherOptions(true));
        int64_t batches = 0;
        for (int64_t e = 0; e < config.epochs; ++e)
            batches += static_cast<int64_t>(b.epochBatches(e).size());
        return (batches + config.gradAccumSteps - 1) / config.gradAccumSteps;
    }
    LrScheduleConfig schedule() const
    {
        if (savedSchedule) {
            LrScheduleConfig s = *savedSchedule;
            if (lengthOverridden)
                s.totalSteps = totalSteps();
            return s;
        }
        return {config.optimizer.lr, config.warmupSteps, totalSteps(), config.minLrRatio};
    }
    // Normalised scores of rows [B] and their normalised targets [B].
    std::pair<torch::Tensor, torch::Tensor> scores(const std::vector<RewardExample>& data,
                                                   const std::vector<int64_t>& idx)
    {
        std::vector<EncodedDialogue> rows;
        std::vector<float> targets;
        for (auto i : idx) {
            rows.push_back(data[static_cast<size_t>(i)].encoded);
            targets.push_back(static_cast<float>((data[static_cast<size_t>(i)].reward - model->head.mean)
                                                 / model->head.std));
        }
        const auto batch = collate(rows, tokenizer->special().pad, 8);
        const auto s = model->forward(batch.tokens.to(device), batch.lengths.to(device));
        return {s, torch::tensor(targets).to(device)};
    }
};

RewardTrainer::RewardTrainer() : m(std::make_unique<Impl>()) {}
RewardTrainer::RewardTrainer(RewardTrainer&&) noexcept = default;
RewardTrainer& RewardTrainer::operator=(RewardTrainer&&) noexcept = default;
RewardTrainer::~RewardTrainer() = default;

RewardTrainer::RewardTrainer(Transformer trunk, Tokenizer tokenizer, LmTrainConfig config, RewardHeadConfig head)
    : m(std::make_unique<Impl>())
{
    config.validate();
    head.pooling = config.rewardPooling;
    head.maxSeqLen = config.maxSeqLen;
    m->device = torch::Device(config.device.empty() ? defaultDeviceName() : config.device);
    trunk->to(m->device);
    m->model = RewardModel(trunk, head);
    m->model->to(m->device);
    m->model->train();
    m->tokenizer = std::move(tokenizer);
    m->config = std::move(config);
    // The trunk keeps its HF names in the optimizer state ("model.layers.0..."), the head "score.*".
    auto params = decayGroups(*m->model->trunk);
    for (auto& p : decayGroups(*m->model->score, "score."))
        params.push_back(p);
    m->optimizer = std::make_unique<AdamW>(std::move(params), m->config.optimizer);
}

RewardTrainer RewardTrainer::resume(const std::string& checkpointDir)
{
    const std::string dir = resolveCheckpointDir(checkpointDir);
    CheckpointReader reader(dir);
    reader.requireResumable();
    const auto config = LmTrainConfig::fromJson(reader.readJson(checkpoint::kTrainConfig),
                                                dir + "/" + checkpoint::kTrainConfig);
    const auto ts = reader.readTrainerState();
    auto loaded = loadRewardModel(dir, config.device);
    RewardTrainer t(loaded.model->trunk, loaded.tokenizer, config, loaded.model->head);
    {
        torch::NoGradGuard ng;
        t.m->model->score->weight.copy_(loaded.model->score->weight);
        t.m->model->score->bias.copy_(loaded.model->score->bias);
    }
    t.m->model->head = loaded.model->head;
    t.m->statsFixed = true;
    reader.readOptimizer(*t.m->optimizer);
    t.m->state = ts.state;
    t.m->savedSchedule = ts.schedule;
    t.m->savedFingerprint = ts.extra.value("data_fingerprint", std::string());
    restoreTorchRng(ts.rng, dir + "/" + checkpoint::kTrainerState);
    return t;
}

void RewardTrainer::setData(std::vector<RewardExample> train, std::vector<RewardExample> valid,
                            const std::string& fingerprint)
{
    if (train.size() < 2)
        throw Error("the reward model needs at least 2 labeled training dialogues, got "
                    + std::to_string(train.size()));
    if (!m->savedFingerprint.empty() && !fingerprint.empty() && fingerprint != m->savedFingerprint)
        throw Error("the training data differ from the checkpoint's (" + fingerprint + " vs "
                    + m->savedFingerprint + "): cannot resume exactly");
    if (!m->statsFixed) {
        double sum = 0, sq = 0;
        for (const auto& e : train)
            sum += e.reward;
        const double mean = sum / static_cast<double>(train.size());
        for (const auto& e : train)
            sq += (e.reward - mean) * (e.reward - mean);
        const double sd = std::sqrt(sq / static_cast<double>(train.size()));
        m->model->head.mean = mean;
        m->model->head.std = sd > 1e-6 ? sd : 1.0;
    }
    if (static_cast<int64_t>(valid.size()) > m->config.maxValidExamples)
        valid.resize(static_cast<size_t>(m->config.maxValidExamples));
    m->train = std::move(train);
    m->valid = std::move(valid);
    m->fingerprint = fingerprint;
}

RegressionReport RewardTrainer::evaluate()
{
    torch::NoGradGuard ng;
    m->model->eval();
    std::vector<double> pred, truth;
    if (!m->valid.empty()) {
        const LengthBucketBatcher batcher(Impl::lengthsOf(m->valid), m->batcherOptions(false));
        for (const auto& b : batcher.epochBatches(0)) {
            const auto r = m->model->toReward(m->scores(m->valid, b).first).to(torch::kCPU, torch::kFloat64);
            for (size_t k = 0; k < b.size(); ++k) {
                pred.push_back(r[static_cast<int64_t>(k)].item<double>());
                truth.push_back(m->valid[static_cast<size_t>(b[k])].reward);
            }
        }
    }
    m->model->train();
    return regressionReport(pred, truth, m->model->head.mean);
}

std::string RewardTrainer::saveCheckpoint(const std::string& dir)
{
    CheckpointWriter w(dir);
    saveRewardModelFiles(w.stagingDir(), m->model, *m->tokenizer);
    w.writeOptimizer(*m->optimizer);
    w.writeTrainerState(m->state, m->schedule(), "lm-reward", {{"data_fingerprint", m->fingerprint}});
    w.writeJson(checkpoint::kTrainConfig, m->config.toJson());
    return w.commit();
}

RewardTrainResult RewardTrainer::train(const TrainHooks& hooks)
{
    if (m->train.empty())
        throw Error("RewardTrainer: setData() first");
    const auto schedule = m->schedule();
    m->savedSchedule = schedule;
    m->lengthOverridden = false;
    RewardTrainResult result;
    LengthBucketBatcher batcher(Impl::lengthsOf(m->train), m->batcherOptions(true));
    result.paddingRatio = batcher.paddingRatio(m->state.cursor.epoch);
    result.trainExamples = static_cast<int64_t>(m->train.size());
    result.validExamples = static_cast<int64_t>(m->valid.size());
    for (const auto& r : m->train)
        result.trainTokens += static_cast<int64_t>(r.encoded.tokens.size());
    result.totalSteps = schedule.totalSteps;
    BatchStream stream(std::move(batcher), m->state.cursor);

    const LoopConfig lc = loopConfigOf(m->config, schedule.totalSteps, m->config.evalEvery, hooks);

    RegressionReport last;
    TrainLoop::Callbacks cb;
    cb.unitsOf = [](const std::vector<int64_t>& idx) { return static_cast<double>(idx.size()); };
    cb.microStep = [&](const std::vector<int64_t>& idx, double normaliser) {
        auto [s, z] = m->scores(m->train, idx);
        const auto se = (s - z).pow(2).sum();
        MicroBatchResult r;
        r.loss = se / normaliser;
        for (auto i : idx)
            r.tokens += static_cast<int64_t>(m->train[static_cast<size_t>(i)].encoded.tokens.size());
        r.sums = {{"loss", se.item<double>()}};
        return r;
    };
    cb.evaluate = [&]() -> MetricValues {
        if (m->valid.empty())
            return {};
        last = evaluate();
        const double var = m->model->head.std * m->model->head.std;
        return {{"eval_loss", last.rmse * last.rmse / var}, // MSE in normalised units, like "loss"
                {"eval_mae", last.mae},
                {"eval_spearman", last.spearman},
                {"eval_baseline_mae", last.baselineMae}};
    };
    cb.saveCheckpoint = checkpointAndPrune(hooks, m->config.keepCheckpoints,
                                           [&](const std::string& dir) { return saveCheckpoint(dir); });
    if (hooks.dist && hooks.dist->worldSize() > 1)
        hooks.dist->requireSame("training examples", tokensHash(m->train, [](const RewardExample& r) -> const std::vector<int64_t>& { return r.encoded.tokens; }));
    TrainLoop loop(lc, WarmupCosineSchedule(schedule), *m->optimizer, stream, m->state, cb);
    runTrainSession(loop, hooks, m->state, result);
    result.heldOut = m->valid.empty() ? RegressionReport{} : (result.stopped || last.n == 0 ? evaluate() : last);
    return result;
}

RewardModel& RewardTrainer::model() { return m->model; }
const Tokenizer& RewardTrainer::tokenizer() const { return *m->tokenizer; }
const TrainState& RewardTrainer::state() const { return m->state; }
TrainState& RewardTrainer::state() { return m->state; }
const LmTrainConfig& RewardTrainer::config() const { return m->config; }
int64_t RewardTrainer::totalSteps() const { return m->totalSteps(); }

void RewardTrainer::overrideBudget(const LmBudgetOverride& budget)
{
    if (budget.applyTo(m->config))
        m->lengthOverridden = true;
}

} // namespace hw
