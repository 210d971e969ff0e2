#include "core/train/lm_trainer.h"
#include "core/dist/tokens_hash.h"

#include "core/model/device.h"
#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "core/train/length_bucket_batcher.h"
#include "core/train/rng_state.h"
#include "core/train/train_session.h"
#include "core/util/error.h"

#include <cmath>
#include <limits>

namespace hw {


std::string toString(LossTokens which)
{
    switch (which) {
    case LossTokens::Agent: return "agent";
    case LossTokens::User: return "user";
    case LossTokens::AllButContext: return "all_but_context";
    case LossTokens::All: return "all";
    }
    return "all";
}

namespace {

LossTokens parseLoss(const std::string& s)
{
    if (s == "agent")
        return LossTokens::Agent;
    if (s == "user")
        return LossTokens::User;
    if (s == "all_but_context")
        return LossTokens::AllButContext;
    if (s == "all")
        return LossTokens::All;
    throw Error("unknown loss tokens '" + s + "'");
}

} // namespace

struct LmTrainer::Impl {
    Transformer model{nullptr};
    std::optional<Tokenizer> tokenizer;
    LmTrainConfig config;
    LossTokens loss = LossTokens::AllButContext;
    std::string kind;
    torch::Device device{torch::kCPU};
    std::unique_ptr<AdamW> optimizer;
    TrainState state;
    std::optional<LrScheduleConfig> savedSchedule; // from a resumed checkpoint
    bool lengthOverridden = false; // overrideBudget changed the run's length: recompute the end
    std::string savedFingerprint;
    std::string fingerprint;

    std::vector<EncodedDialogue> train, valid;
    std::vector<int64_t> trainUnits, validUnits;

    BatcherOptions batcherOptions(bool shuffle) const
    {
        BatcherOptions o;
        o.batchSize = config.batchSize;
        o.maxTokens = config.maxBatchTokens;
        o.shuffle = shuffle;
        o.seed = config.seed;
        return o;
    }

    std::vector<int64_t> lengthsOf(const std::vector<EncodedDialogue>& rows) const
    {
        std::vector<int64_t> out;
        out.reserve(rows.size());
        for (const auto& r : rows)
            out.push_back(static_cast<int64_t>(r.tokens.size()));
        return out;
    }

    std::vector<int64_t> unitsOf(const std::vector<EncodedDialogue>& rows) const
    {
        std::vector<int64_t> out;
        out.reserve(rows.size());
        const int64_t pad = tokenizer->special().pad;
        for (const auto& r : rows)
            out.push_back(static_cast<int64_t>(targetMask(collate({r}, pad), loss).sum().item<double>()));
        return out;
    }

    LrScheduleConfig schedule() const
    {
        if (savedSchedule) {
            LrScheduleConfig s = *savedSchedule;
            if (lengthOverridden)
                s.totalSteps = totalSteps();
            return s;
        }
        LrScheduleConfig s;
        s.peakLr = config.optimizer.lr;
        s.warmupSteps = config.warmupSteps;
        s.minLrRatio = config.minLrRatio;
        s.totalSteps = totalSteps();
        return s;
    }

    int64_t totalSteps() const
    {
        if (savedSchedule && !lengthOverridden)
            return savedSchedule->totalSteps;
        if (config.maxSteps > 0)
            return config.maxSteps;
        if (train.empty())
            return 0;
        const LengthBucketBatcher b(lengthsOf(train), batcherOptions(true));
        int64_t batches = 0;
        for (int64_t e = 0; e < config.epochs; ++e)
            batches += static_cast<int64_t>(b.epochBatches(e).size());
        return (batches + config.gradAccumSteps - 1) / config.gradAccumSteps;
    }

    // Summed NLL over the masked targets of rows, and the number of targets.
    std::pair<torch::Tensor, int64_t> nll(const std::vector<EncodedDialogue>& rows)
    {
        const auto batch = collate(rows, tokenizer->special().pad, 8).to(device);
        ForwardOptions fo;
        fo.computeLogits = false;
        const auto out = model->forward(batch.tokens, fo);
        const auto T = batch.tokens.size(1);
        const auto mask = targetMask(batch, loss) > 0;                 // [B,T-1]
        const auto hidden = out.hidden.narrow(1, 0, T - 1);            // position p predicts p+1
        const auto targets = batch.tokens.narrow(1, 1, T - 1);
        // Only the positions that count go through lm_head: the vocabulary projection is the
        // largest matmul, and a policy's agent tokens are a fraction of the sequence.
        const auto selHidden = hidden.index({mask});                   // [N,H]
        const auto selTargets = targets.index({mask});                 // [N]
        const int64_t n = selTargets.size(0);
        if (n == 0)
            return {torch::zeros({}, torch::TensorOptions().device(device)), 0};
        const auto logits = model->logits(selHidden).to(torch::kFloat32);
        return {torch::nn::functional::cross_entropy(
                    logits, selTargets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)),
                n};
    }
};

LmTrainer::LmTrainer() : m(std::make_unique<Impl>()) {}
LmTrainer::LmTrainer(LmTrainer&&) noexcept = default;
LmTrainer& LmTrainer::operator=(LmTrainer&&) noexcept = default;
LmTrainer::~LmTrainer() = default;

LmTrainer::LmTrainer(Transformer model, Tokenizer tokenizer, LmTrainConfig config, LossTokens lossTokens,
                     std::string kind)
    : m(std::make_unique<Impl>())
{
    config.validate();
    if (tokenizer.vocabSize() > model->config().vocabSize)
        throw Error("tokenizer has " + std::to_string(tokenizer.vocabSize()) + " tokens, the model's vocabulary "
                    + std::to_string(model->config().vocabSize));
    m->model = std::move(model);
    m->tokenizer = std::move(tokenizer);
    m->config = std::move(config);
    m->loss = lossTokens;
    m->kind = std::move(kind);
    m->device = torch::Device(m->config.device.empty() ? defaultDeviceName() : m->config.device);
    m->model->to(m->device);
    m->model->train();
    m->optimizer = std::make_unique<AdamW>(decayGroups(*m->model), m->config.optimizer);
}

LmTrainer LmTrainer::resume(const std::string& checkpointDir)
{
    const std::string dir = resolveCheckpointDir(checkpointDir);
    CheckpointReader reader(dir);
    reader.requireResumable();
    const auto config = LmTrainConfig::fromJson(reader.readJson(checkpoint::kTrainConfig),
                                                dir + "/" + checkpoint::kTrainConfig);
    const auto ts = reader.readTrainerState();
    LoadOptions lo;
    lo.device = config.device;
    lo.dtype = torch::kFloat32;
    lo.resizeToTokenizer = false;
    auto loaded = loadModelDirectory(dir, lo);
    if (!loaded.tokenizer)
        throw Error(dir + ": missing tokenizer.model");
    LossTokens loss = LossTokens::AllButContext;
    try {
        loss = parseLoss(ts.extra.value("loss_tokens", std::string("all_but_context")));
    } catch (const Error& e) {
        throw Error(dir + "/" + checkpoint::kTrainerState + ": " + e.what());
    }
    LmTrainer t(loaded.model, std::move(*loaded.tokenizer), config, loss, ts.kind);
    reader.readOptimizer(*t.m->optimizer);
    t.m->state = ts.state;
    t.m->savedSchedule = ts.schedule;
    t.m->savedFingerprint = ts.extra.value("data_fingerprint", std::string());
    restoreTorchRng(ts.rng, dir + "/" + checkpoint::kTrainerState);
    return t;
}

void LmTrainer::setData(std::vector<EncodedDialogue> train, std::vector<EncodedDialogue> valid,
                        const std::string& fingerprint)
{
    if (train.empty())
        throw Error("no training examples (is the selection empty?)");
    if (!m->savedFingerprint.empty() && !fingerprint.empty() && fingerprint != m->savedFingerprint)
        throw Error("the training data differ from the checkpoint's (" + fingerprint + " vs "
                    + m->savedFingerprint + "): the project changed since the run started, so it "
                                            "cannot be resumed exactly");
    const int64_t maxPos = m->model->config().maxPositionEmbeddings;
    for (const auto* rows : {&train, &valid})
        for (const auto& r : *rows)
            if (static_cast<int64_t>(r.tokens.size()) > maxPos)
                throw Error("an example has " + std::to_string(r.tokens.size())
                            + " tokens, more than the model's max_position_embeddings (" + std::to_string(maxPos)
                            + "); lower maxSeqLen");
    if (static_cast<int64_t>(valid.size()) > m->config.maxValidExamples)
        valid.resize(static_cast<size_t>(m->config.maxValidExamples));
    m->train = std::move(train);
    m->valid = std::move(valid);
    m->trainUnits = m->unitsOf(m->train);
    m->validUnits = m->unitsOf(m->valid);
    m->fingerprint = fingerprint;
}

double LmTrainer::evaluate()
{
    if (m->valid.empty())
        return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard ng;
    m->model->eval();
    const LengthBucketBatcher batcher(m->lengthsOf(m->valid), m->batcherOptions(false));
    double sum = 0;
    int64_t count = 0;
    for (const auto& b : batcher.epochBatches(0)) {
        std::vector<EncodedDialogue> rows;
        for (auto i : b)
            rows.push_back(m->valid[static_cast<size_t>(i)]);
        auto [loss, n] = m->nll(rows);
        sum += loss.item<double>();
        count += n;
    }
    m->model->train();
    return count > 0 ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

std::string LmTrainer::saveCheckpoint(const std::string& dir)
{
    CheckpointWriter w(dir);
    saveModelDirectory(w.stagingDir(), m->model, &*m->tokenizer);
    w.writeOptimizer(*m->optimizer);
    w.writeTrainerState(m->state, m->schedule(), m->kind,
                        {{"loss_tokens", toString(m->loss)}, {"data_fingerprint", m->fingerprint}});
    w.writeJson(checkpoint::kTrainConfig, m->config.toJson());
    return w.commit();
}

LmTrainResult LmTrainer::train(const TrainHooks& hooks)
{
    if (m->train.empty())
        throw Error("LmTrainer: setData() first");
    const LrScheduleConfig schedule = m->schedule();
    m->savedSchedule = schedule; // fixed for the rest of the run, whatever happens to the data
    m->lengthOverridden = false;

    LengthBucketBatcher batcher(m->lengthsOf(m->train), m->batcherOptions(true));
    LmTrainResult result;
    result.paddingRatio = batcher.paddingRatio(m->state.cursor.epoch);
    result.trainExamples = static_cast<int64_t>(m->train.size());
    result.validExamples = static_cast<int64_t>(m->valid.size());
    for (const auto& r : m->train)
        result.trainTokens += static_cast<int64_t>(r.tokens.size());
    result.totalSteps = schedule.totalSteps;

    BatchStream stream(std::move(batcher), m->state.cursor);
    const LoopConfig lc = loopConfigOf(m->config, schedule.totalSteps, m->config.evalEvery, hooks);

    TrainLoop::Callbacks cb;
    cb.unitsOf = [&](const std::vector<int64_t>& idx) {
        double u = 0;
        for (auto i : idx)
            u += static_cast<double>(m->trainUnits[static_cast<size_t>(i)]);
        return u;
    };
    cb.microStep = [&](const std::vector<int64_t>& idx, double normaliser) {
        std::vector<EncodedDialogue> rows;
        int64_t tokens = 0;
        for (auto i : idx) {
            rows.push_back(m->train[static_cast<size_t>(i)]);
            tokens += static_cast<int64_t>(rows.back().tokens.size());
        }
        auto [sum, n] = m->nll(rows);
        MicroBatchResult r;
        r.loss = sum / normaliser;
        r.tokens = tokens;
        r.sums = {{"loss", sum.item<double>()}};
        return r;
    };
    cb.evaluate = [&]() -> MetricValues {
        const double l = evaluate();
        if (std::isnan(l))
            return {};
        return {{"eval_loss", l}, {"eval_ppl", std::exp(std::min(l, 50.0))}};
    };
    cb.saveCheckpoint = checkpointAndPrune(hooks, m->config.keepCheckpoints,
                                           [&](const std::string& dir) { return saveCheckpoint(dir); });

    if (hooks.dist && hooks.dist->worldSize() > 1)
        hooks.dist->requireSame("training examples", tokensHash(m->train, [](const EncodedDialogue& r) -> const std::vector<int64_t>& { return r.tokens; }));
    TrainLoop loop(lc, WarmupCosineSchedule(schedule), *m->optimizer, stream, m->state, cb);
    runTrainSession(loop, hooks, m->state, result);

    return result;
}

Transformer& LmTrainer::model() { return m->model; }
const Tokenizer& LmTrainer::tokenizer() const { return *m->tokenizer; }
const LmTrainConfig& LmTrainer::config() const { return m->config; }
const TrainState& LmTrainer::state() const { return m->state; }
TrainState& LmTrainer::state() { return m->state; }
LossTokens LmTrainer::lossTokens() const { return m->loss; }
const std::string& LmTrainer::kind() const { return m->kind; }
int64_t LmTrainer::totalSteps() const { return m->totalSteps(); }

void LmTrainer::overrideBudget(const LmBudgetOverride& budget)
{
    if (budget.applyTo(m->config))
        m->lengthOverridden = true;
}

} // namespace hw
