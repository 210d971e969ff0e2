#include "core/train/ilql_trainer.h"
#include "core/dist/tokens_hash.h"

#include "core/model/device.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/rl/ilql_loss.h"
#include "core/train/adamw.h"
#include "core/train/checkpoint.h"
#include "core/train/length_bucket_batcher.h"
#include "core/train/lr_schedule.h"
#include "core/train/rng_state.h"
#include "core/train/train_session.h"
#include "core/util/error.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace hw {


namespace {

constexpr const char* kHeadsFile = "ilql_heads.safetensors";              // shared layout
constexpr const char* kValueHeadsFile = "ilql_value_heads.safetensors";   // separate layout
constexpr const char* kValueTrunkFile = "value_trunk.safetensors";
constexpr const char* kValueTrunkConfig = "value_trunk_config.json";
constexpr const char* kTargetTrunkFile = "target_trunk.safetensors";

nlohmann::json specialToJson(const SpecialTokens& s)
{
    return {{"pad", s.pad},          {"unk", s.unk},
            {"bos", s.bos},          {"end_of_state", s.endOfState},
            {"begin_action", s.beginAction}, {"end_of_action", s.endOfAction},
            {"end_of_dialogue", s.endOfDialogue}};
}

SpecialTokens specialFromJson(const nlohmann::json& j)
{
    SpecialTokens s;
    s.pad = j.value("pad", int64_t(0));
    s.unk = j.value("unk", int64_t(-1));
    s.bos = j.value("bos", int64_t(1));
    s.endOfState = j.value("end_of_state", int64_t(2));
    s.beginAction = j.value("begin_action", int64_t(3));
    s.endOfAction = j.value("end_of_action", int64_t(4));
    s.endOfDialogue = j.value("end_of_dialogue", int64_t(5));
    return s;
}

// Live action slots and attended next-token targets of one example: the denominators of the
// slot terms and of the token loss.
struct Units {
    double slots = 0;
    double tokens = 0;
};

Units unitsOf(const EncodedDialogue& e)
{
    Units u;
    for (size_t j = 0; j < e.actionIdxs.size(); ++j)
        u.slots += e.terminals[j] == 0 ? 1.0 : 0.0;
    u.tokens = e.tokens.empty() ? 0.0 : static_cast<double>(e.tokens.size() - 1);
    return u;
}

IlqlBatch toIlqlBatch(const DialogueBatch& b)
{
    IlqlBatch out;
    out.tokens = b.tokens;
    out.attnMask = b.attentionMask;
    out.stateIdxs = b.stateIdxs;
    out.actionIdxs = b.actionIdxs;
    out.rewards = b.rewards;
    out.terminals = b.terminals;
    out.actionMask = b.actionSlotMask;
    return out;
}

// What one forward pass produced: the loss (undivided means of this batch) and statistics.
struct Forward {
    IlqlLossResult loss;
    torch::Tensor entropy;   // mean policy entropy at live slots (0-d, detached)
    Units units;
};

} // namespace

std::vector<std::pair<std::string, torch::Tensor>> ilqlHeadsTensors(const IlqlHeads& heads)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : heads->named_parameters(/*recurse=*/true))
        out.emplace_back(p.key(), p.value());
    return out;
}

void loadIlqlHeadsTensors(IlqlHeads& heads, const std::map<std::string, torch::Tensor>& tensors,
                          const std::string& origin)
{
    torch::NoGradGuard noGrad;
    for (auto& p : heads->named_parameters(/*recurse=*/true)) {
        const auto it = tensors.find(p.key());
        if (it == tensors.end())
            throw Error(origin + ": missing tensor '" + p.key() + "' of the ILQL heads");
        if (!it->second.sizes().equals(p.value().sizes()))
            throw Error(origin + ": tensor '" + p.key() + "' has the wrong shape for the configured model");
        p.value().copy_(it->second.to(p.value().dtype()));
    }
    if (tensors.size() != heads->named_parameters(true).size())
        throw Error(origin + ": unexpected tensors beside the ILQL heads (double_q mismatch?)");
}

Transformer cloneTransformer(const Transformer& model)
{
    Transformer copy(model->config(), /*initialize=*/false);
    copy->to(model->device(), model->dtype());
    torch::NoGradGuard noGrad;
    auto src = model->named_parameters(true);
    for (auto& p : copy->named_parameters(true))
        p.value().copy_(src[p.key()]);
    auto srcBuffers = model->named_buffers(true);
    for (auto& b : copy->named_buffers(true))
        if (srcBuffers.contains(b.key()))
            b.value().copy_(srcBuffers[b.key()]);
    return copy;
}

struct IlqlTrainer::Impl {
    Transformer trunk{nullptr};         // value trunk (shared: also π_β)
    Transformer policy{nullptr};        // separate π_β, or null
    bool trainPolicy = false;           // separate π_β trained by the token loss
    IlqlHeads heads{nullptr};
    Transformer targetTrunk{nullptr};
    std::optional<Tokenizer> tokenizer;
    SpecialTokens special;
    IlqlTrainConfig config;
    std::string kind;
    torch::Device device{torch::kCPU};
    std::unique_ptr<AdamW> optimizer;
    TrainState state;
    std::optional<LrScheduleConfig> savedSchedule;
    std::string savedFingerprint, fingerprint;
    nlohmann::json jobInfo = nlohmann::json::object();

    std::vector<EncodedDialogue> train, valid;
    std::vector<Units> trainUnits;

    // Token denominators of the optimizer step in progress: TrainLoop calls unitsOf() for every
    // micro-batch of a step before the first microStep() of that step.
    double pendingTokens = 0, stepTokens = 0;
    int64_t microInStep = 0;

    // Statistics of the current logging window, weighted by live slots.
    double winSlots = 0, winQ = 0, winV = 0, winAdv = 0, winEntropy = 0, winWeight = 0;

    BatcherOptions batcherOptions(bool shuffle) const
    {
        BatcherOptions o;
        o.batchSize = config.batchSize;
        o.shuffle = shuffle;
        o.seed = config.seed;
        return o;
    }

    static std::vector<int64_t> lengthsOf(const std::vector<EncodedDialogue>& rows)
    {
        std::vector<int64_t> out;
        out.reserve(rows.size());
        for (const auto& r : rows)
            out.push_back(static_cast<int64_t>(r.tokens.size()));
        return out;
    }

    LrScheduleConfig schedule() const
    {
        if (savedSchedule)
            return *savedSchedule;
        LrScheduleConfig s;
        s.peakLr = config.optimizer.lr;
        s.warmupSteps = config.warmupSteps;
        s.minLrRatio = config.minLrRatio;
        s.totalSteps = config.totalSteps();
        return s;
    }

    bool needFullLogits() const
    {
        const auto& c = config.ilql;
        const double other = c.clip_weight ? std::min(c.transition_weight, *c.clip_weight) : c.transition_weight;
        return other != 0.0;
    }

    Forward forward(const std::vector<EncodedDialogue>& rows)
    {
        Forward f;
        for (const auto& r : rows) {
            const auto u = unitsOf(r);
            f.units.slots += u.slots;
            f.units.tokens += u.tokens;
        }
        const auto batch = collate(rows, special.pad, 8).to(device);
        const auto ib = toIlqlBatch(batch);
        ForwardOptions fo;
        fo.computeLogits = false;
        const auto hidden = trunk->forward(ib.tokens, fo).hidden;            // [B,T,H]
        // Vocabulary-sized rows (Q heads, π's logits) only at the real action slots, packed.
        const auto packed = ilqlPackedSlots(ilqlRealSlots(ib));
        IlqlPolicyOutputs policyOut;
        torch::Tensor actionLogits;
        {
            // π's hidden states: the trunk's own (shared), or the separate π_β's (with a graph
            // only when it is trained).
            std::optional<torch::NoGradGuard> frozen;
            if (policy && !trainPolicy)
                frozen.emplace();
            Transformer pm = policy ? policy : trunk;
            const auto ph = policy ? policy->forward(ib.tokens, fo).hidden : hidden;
            if (needFullLogits()) {
                policyOut.logits = pm->logits(ph).to(torch::kFloat);
                actionLogits = gatherPositions(policyOut.logits, ib.actionIdxs);
            } else {
                // The vocabulary projection only where the token loss looks: the action slots.
                actionLogits = pm->logits(ilqlPackRows(gatherPositions(ph, ib.actionIdxs), packed)).to(torch::kFloat);
                policyOut.actionLogits = actionLogits;
            }
        }
        IlqlHeadOutputs ho;
        if (heads) {
            torch::Tensor targetHidden;
            if (targetTrunk) {
                torch::NoGradGuard noGrad;
                targetHidden = targetTrunk->forward(ib.tokens, fo).hidden;
            }
            IlqlSlots slots{ib.stateIdxs, ib.actionIdxs, ilqlSelectTokens(ib.tokens, ib.actionIdxs), packed};
            ho = heads->forward(hidden, targetHidden, slots);
            ho.vStates = ho.vStates.to(torch::kFloat);
            ho.q1 = ho.q1.to(torch::kFloat);
            if (ho.q2.defined())
                ho.q2 = ho.q2.to(torch::kFloat);
            ho.targetQSelected = ho.targetQSelected.to(torch::kFloat);
        } else {
            // Behaviour cloning: no value heads; zero stand-ins with the right shapes (the loss
            // terms that read them have weight 0 and build no graph).
            const auto B = ib.tokens.size(0), A = ib.actionIdxs.size(1);
            const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(device);
            ho.vStates = torch::zeros({B, A + 1}, opts);
            ho.q1 = torch::zeros({B, A, 1}, opts);
            ho.targetQSelected = torch::zeros({B, A}, opts);
        }
        IlqlConfig lossConfig = config.ilql;
        if (!heads)
            lossConfig.double_q = false;
        if (!heads) {
            // Q stand-in shaped like the policy's action logits (the loss checks shapes; with
            // every Q weight 0 it reads nothing from it, so a broadcast zero, no memory).
            ho.q1 = torch::zeros({1}, actionLogits.options()).expand(actionLogits.sizes());
            if (!needFullLogits())
                ho.packed = packed;
        }
        f.loss = ilqlLoss(ib, ho, policyOut, lossConfig, nullptr, /*reportUnweighted=*/false);
        if (f.loss.meanEntropy.defined()) {
            f.entropy = f.loss.meanEntropy;
        } else {
            torch::NoGradGuard noGrad;
            const auto live = ilqlLiveMask(ib);
            const auto logp = torch::log_softmax(actionLogits.detach(), -1);
            const auto ent = -(logp.exp() * logp).sum(-1);
            f.entropy = (ent * live).sum() / live.sum().clamp_min(1.0);
        }
        return f;
    }

    // The step's loss from one micro-batch: each term's batch mean rescaled so that the
    // accumulated gradient is that of the whole step's batch.
    torch::Tensor scaledLoss(const Forward& f, double stepSlots, double stepTokens) const
    {
        const auto& w = config.ilql.loss_weights;
        const auto token = f.loss.tokenLoss * w.awac_weight;
        const auto rest = f.loss.total - token;
        const double tokenScale = stepTokens > 0 ? f.units.tokens / stepTokens : 0.0;
        const double slotScale = stepSlots > 0 ? f.units.slots / stepSlots : 0.0;
        return token * tokenScale + rest * slotScale;
    }

    void accumulateStats(const Forward& f)
    {
        const double n = f.units.slots;
        winSlots += n;
        winQ += f.loss.meanQ.item<double>() * n;
        winV += f.loss.meanV.item<double>() * n;
        winAdv += f.loss.meanAdvantage.item<double>() * n;
        winWeight += f.loss.meanWeight.item<double>() * n;
        winEntropy += f.entropy.item<double>() * n;
    }

    MetricValues takeStats()
    {
        MetricValues out;
        const double n = winSlots > 0 ? winSlots : 1.0;
        out.emplace_back("policy_entropy", winEntropy / n);
        if (heads) {
            out.emplace_back("q_mean", winQ / n);
            out.emplace_back("v_mean", winV / n);
            out.emplace_back("advantage_mean", winAdv / n);
            out.emplace_back("awac_weight_mean", winWeight / n);
        }
        winSlots = winQ = winV = winAdv = winEntropy = winWeight = 0;
        return out;
    }

    void polyak()
    {
        if (heads)
            heads->polyakUpdate(config.polyakAlpha);
        if (targetTrunk) {
            std::vector<torch::Tensor> t, o;
            auto online = trunk->named_parameters(true);
            for (auto& p : targetTrunk->named_parameters(true)) {
                t.push_back(p.value());
                o.push_back(online[p.key()]);
            }
            polyakUpdate(t, o, config.polyakAlpha);
        }
    }

    MetricValues componentSums(const Forward& f) const
    {
        const double n = f.units.slots;
        MetricValues out = {{"loss", f.loss.total.item<double>() * n},
                            {"token_loss", f.loss.tokenLoss.item<double>() * n},
                            {"v_loss", f.loss.vLoss.item<double>() * n},
                            {"q_loss", f.loss.qLoss.item<double>() * n},
                            {"cql_loss", f.loss.cqlLoss.item<double>() * n}};
        if (f.loss.dmLoss.defined()) // not computed when its weight is 0
            out.emplace_back("dm_loss", f.loss.dmLoss.item<double>() * n);
        return out;
    }

    void buildOptimizer()
    {
        auto params = decayGroups(*trunk, "trunk.");
        if (policy && trainPolicy)
            for (auto& p : decayGroups(*policy, "policy."))
                params.push_back(std::move(p));
        if (heads)
            for (auto& p : decayGroups(*heads, "heads."))
                params.push_back(std::move(p));
        optimizer = std::make_unique<AdamW>(std::move(params), config.optimizer);
    }
};

IlqlTrainer::IlqlTrainer() : m(std::make_unique<Impl>()) {}
IlqlTrainer::IlqlTrainer(IlqlTrainer&&) noexcept = default;
IlqlTrainer& IlqlTrainer::operator=(IlqlTrainer&&) noexcept = default;
IlqlTrainer::~IlqlTrainer() = default;

IlqlTrainer::IlqlTrainer(Transformer policy, std::optional<Tokenizer> tokenizer, SpecialTokens special,
                         IlqlTrainConfig config, std::string kind, Transformer valueTrunk)
    : m(std::make_unique<Impl>())
{
    config.validate();
    if (tokenizer) {
        if (tokenizer->vocabSize() > policy->config().vocabSize)
            throw Error("tokenizer has " + std::to_string(tokenizer->vocabSize()) + " tokens, the model's vocabulary "
                        + std::to_string(policy->config().vocabSize));
        special = tokenizer->special();
    }
    if (special.pad < 0)
        throw Error("ILQL trainer: the tokenizer has no <pad> token");
    m->tokenizer = std::move(tokenizer);
    m->special = special;
    m->config = std::move(config);
    m->kind = std::move(kind);
    m->device = torch::Device(m->config.device.empty() ? defaultDeviceName() : m->config.device);
    const bool separate = !m->config.bcOnly() && m->config.policy == "separate";
    if (separate) {
        m->policy = std::move(policy);
        m->policy->to(m->device);
        m->trainPolicy = m->config.ilql.loss_weights.awac_weight != 0.0;
        for (auto& p : m->policy->parameters())
            p.set_requires_grad(m->trainPolicy);
        m->policy->train();
        m->trunk = valueTrunk ? std::move(valueTrunk) : cloneTransformer(m->policy);
        if (m->trunk->config().vocabSize != m->policy->config().vocabSize
            || m->trunk->config().hiddenSize <= 0)
            throw Error("ILQL trainer: the value trunk's vocabulary (" + std::to_string(m->trunk->config().vocabSize)
                        + ") differs from π_β's (" + std::to_string(m->policy->config().vocabSize) + ")");
    } else {
        m->trunk = std::move(policy);
    }
    m->trunk->to(m->device);
    m->trunk->train();
    if (!m->config.bcOnly()) {
        seedTorch(m->config.seed + 0x1a1);   // the heads' initialisation, independent of history
        IlqlHeadsOptions ho;
        ho.hidden = m->trunk->config().hiddenSize;
        ho.vocab = m->trunk->config().vocabSize;
        ho.doubleQ = m->config.ilql.double_q;
        m->heads = IlqlHeads(ho);
        m->heads->to(m->device, m->trunk->dtype());
        m->heads->train();
        if (m->config.targets == "trunk") {
            m->targetTrunk = cloneTransformer(m->trunk);
            for (auto& p : m->targetTrunk->parameters())
                p.set_requires_grad(false);
            m->targetTrunk->eval();
        }
    }
    m->buildOptimizer();
}

IlqlTrainer IlqlTrainer::resume(const std::string& checkpointDir)
{
    const std::string dir = resolveCheckpointDir(checkpointDir);
    CheckpointReader reader(dir);
    reader.requireResumable();
    const auto config = IlqlTrainConfig::fromJson(reader.readJson(checkpoint::kTrainConfig),
                                                  dir + "/" + checkpoint::kTrainConfig);
    const auto ts = reader.readTrainerState();
    const bool hasTokenizer = ts.extra.value("has_tokenizer", true);
    LoadOptions lo;
    lo.device = config.device;
    lo.dtype = torch::kFloat32;
    lo.loadTokenizer = hasTokenizer;
    lo.resizeToTokenizer = false;
    auto loaded = loadModelDirectory(dir, lo);
    std::optional<Tokenizer> tokenizer;
    if (loaded.tokenizer)
        tokenizer = std::move(*loaded.tokenizer);
    const SpecialTokens special = specialFromJson(ts.extra.value("special", nlohmann::json::object()));
    Transformer valueTrunk{nullptr};
    const bool separate = reader.has(kValueTrunkFile);
    if (separate) {
        valueTrunk = Transformer(ModelConfig::fromJson(reader.readJson(kValueTrunkConfig)), /*initialize=*/false);
        loadWeights(valueTrunk, reader.path(kValueTrunkFile));
    }
    IlqlTrainer t(loaded.model, std::move(tokenizer), special, config, ts.kind, valueTrunk);
    if (t.m->heads) {
        const char* file = separate ? kValueHeadsFile : kHeadsFile;
        loadIlqlHeadsTensors(t.m->heads, reader.readTensors(file), dir + "/" + file);
    }
    if (t.m->targetTrunk)
        loadWeights(t.m->targetTrunk, reader.path(kTargetTrunkFile));
    reader.readOptimizer(*t.m->optimizer);
    t.m->state = ts.state;
    t.m->savedSchedule = ts.schedule;
    t.m->savedFingerprint = ts.extra.value("data_fingerprint", std::string());
    t.m->jobInfo = ts.extra.value("job", nlohmann::json::object());
    restoreTorchRng(ts.rng, dir + "/" + checkpoint::kTrainerState);
    return t;
}

void IlqlTrainer::setData(std::vector<EncodedDialogue> train, std::vector<EncodedDialogue> valid,
                          const std::string& fingerprint)
{
    if (train.empty())
        throw Error("no training examples (is the training set empty?)");
    if (!m->savedFingerprint.empty() && !fingerprint.empty() && fingerprint != m->savedFingerprint)
        throw Error("the training data differ from the checkpoint's (" + fingerprint + " vs " + m->savedFingerprint
                    + "): the project changed since the run started, so it cannot be resumed exactly");
    const int64_t maxPos = m->trunk->config().maxPositionEmbeddings;
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
    m->trainUnits.clear();
    for (const auto& r : m->train)
        m->trainUnits.push_back(unitsOf(r));
    m->fingerprint = fingerprint;
}

MetricValues IlqlTrainer::evaluate()
{
    if (m->valid.empty())
        return {};
    torch::NoGradGuard noGrad;
    m->trunk->eval();
    if (m->policy)
        m->policy->eval();
    if (m->heads)
        m->heads->eval();
    const LengthBucketBatcher batcher(Impl::lengthsOf(m->valid), m->batcherOptions(false));
    double slots = 0, tokens = 0, total = 0, token = 0, v = 0, q = 0, cql = 0, dm = 0, nll = 0, agentTokens = 0;
    for (const auto& b : batcher.epochBatches(0)) {
        std::vector<EncodedDialogue> rows;
        for (auto i : b)
            rows.push_back(m->valid[static_cast<size_t>(i)]);
        const auto f = m->forward(rows);
        const double n = f.units.slots;
        // The step's exact loss over all held-out data: terms over slots, the token loss over tokens.
        token += f.loss.tokenLoss.item<double>() * f.units.tokens;
        v += f.loss.vLoss.item<double>() * n;
        q += f.loss.qLoss.item<double>() * n;
        cql += f.loss.cqlLoss.item<double>() * n;
        dm += f.loss.dmLoss.defined() ? f.loss.dmLoss.item<double>() * n : 0.0;
        total += (f.loss.total - f.loss.tokenLoss * m->config.ilql.loss_weights.awac_weight).item<double>() * n;
        slots += n;
        tokens += f.units.tokens;
        // Mean NLL of the agent tokens (the token loss with weight 1 over agent tokens).
        nll += f.loss.tokenLoss.item<double>() * f.units.tokens;
        agentTokens += n;
    }
    m->trunk->train();
    if (m->policy)
        m->policy->train();
    if (m->heads)
        m->heads->train();
    const double ns = slots > 0 ? slots : 1.0, nt = tokens > 0 ? tokens : 1.0;
    const double tokenLoss = token / nt;
    if (m->config.bcOnly())
        return {{"eval_loss", agentTokens > 0 ? nll / agentTokens : std::numeric_limits<double>::quiet_NaN()},
                {"eval_token_loss", tokenLoss}};
    MetricValues out = {{"eval_loss", total / ns + m->config.ilql.loss_weights.awac_weight * tokenLoss},
                        {"eval_token_loss", tokenLoss},
                        {"eval_v_loss", v / ns},
                        {"eval_q_loss", q / ns},
                        {"eval_cql_loss", cql / ns}};
    if (m->config.ilql.loss_weights.dm_loss_weight != 0.0)
        out.emplace_back("eval_dm_loss", dm / ns);
    return out;
}

IlqlStepInfo IlqlTrainer::trainStep(const std::vector<EncodedDialogue>& rows)
{
    const auto f = m->forward(rows);
    const auto loss = m->scaledLoss(f, f.units.slots, f.units.tokens);
    m->optimizer->zeroGrad();
    loss.backward();
    IlqlStepInfo info;
    info.gradNorm = m->optimizer->clipGradNorm(m->config.gradClip);
    m->optimizer->step();
    m->optimizer->zeroGrad();
    m->polyak();
    info.total = f.loss.total.item<double>();
    info.tokenLoss = f.loss.tokenLoss.item<double>();
    info.vLoss = f.loss.vLoss.item<double>();
    info.qLoss = f.loss.qLoss.item<double>();
    info.cqlLoss = f.loss.cqlLoss.item<double>();
    info.dmLoss = f.loss.dmLoss.defined() ? f.loss.dmLoss.item<double>() : 0.0;
    for (const auto& r : rows)
        info.tokens += static_cast<int64_t>(r.tokens.size());
    return info;
}

std::string IlqlTrainer::saveCheckpoint(const std::string& dir)
{
    CheckpointWriter w(dir);
    saveModelDirectory(w.stagingDir(), m->policy ? m->policy : m->trunk, m->tokenizer ? &*m->tokenizer : nullptr);
    if (m->policy) {
        w.writeTensors(kValueTrunkFile, m->trunk->namedWeights(), {{"format", "pt"}});
        w.writeJson(kValueTrunkConfig, m->trunk->config().toJson());
    }
    if (m->heads)
        w.writeTensors(m->policy ? kValueHeadsFile : kHeadsFile, ilqlHeadsTensors(m->heads), {{"format", "pt"}});
    if (m->targetTrunk)
        w.writeTensors(kTargetTrunkFile, m->targetTrunk->namedWeights(), {{"format", "pt"}});
    w.writeOptimizer(*m->optimizer);
    w.writeTrainerState(m->state, m->schedule(), m->kind,
                        {{"data_fingerprint", m->fingerprint},
                         {"has_tokenizer", m->tokenizer.has_value()},
                         {"special", specialToJson(m->special)},
                         {"objective", m->config.objective},
                         {"targets", m->config.targets},
                         {"policy", m->policy ? "separate" : "shared"},
                         {"job", m->jobInfo}});
    w.writeJson(checkpoint::kTrainConfig, m->config.toJson());
    return w.commit();
}

IlqlDecodingModel IlqlTrainer::decodingModel() const
{
    IlqlDecodingModel d;
    d.trunk = m->policy ? m->policy : m->trunk;
    d.valueTrunk = m->policy ? m->trunk : Transformer{nullptr};
    d.heads = m->heads;
    d.targetTrunk = m->targetTrunk;
    d.config = m->config.ilql;
    return d;
}

std::vector<IlqlSample> IlqlTrainer::sampleReplies(const std::vector<EncodedDialogue>& examples, int64_t count,
                                                   uint64_t seed)
{
    std::vector<std::vector<int64_t>> prompts;
    for (const auto& e : examples) {
        if (static_cast<int64_t>(prompts.size()) >= count)
            break;
        if (e.actionIdxs.empty())
            continue;
        // Everything up to the position that predicts the first agent token.
        const auto end = static_cast<size_t>(e.actionIdxs.front()) + 1;
        prompts.emplace_back(e.tokens.begin(), e.tokens.begin() + static_cast<std::ptrdiff_t>(end));
    }
    if (prompts.empty())
        return {};
    GenerationOptions go;
    go.sampling = ilqlSamplingOptions(m->config.decode, seed);
    for (int64_t id : {m->special.pad, m->special.bos, m->special.beginAction, m->special.unk})
        if (id >= 0)
            go.sampling.bannedTokens.push_back(id);
    for (int64_t id : {m->special.endOfAction, m->special.endOfState, m->special.endOfDialogue})
        if (id >= 0)
            go.stopTokens.push_back(id);
    go.maxNewTokens = m->config.maxNewTokens;
    go.padId = m->special.pad;
    LogitsHook hook;
    if (m->heads) {
        const IlqlDecodingModel dm = decodingModel();
        hook = ilqlLogitsHook(dm, m->config.decode);
        go.companions = ilqlCompanionTrunks(dm);   // value / target trunks decode on their own caches
    }
    Transformer pm = m->policy ? m->policy : m->trunk;
    const auto r = generate(pm, prompts, go, hook);
    pm->train();
    auto text = [&](const std::vector<int64_t>& ids, bool keepSpecial) {
        if (m->tokenizer)
            return m->tokenizer->decode(ids, keepSpecial);
        std::string s;
        for (auto id : ids)
            s += (s.empty() ? "" : " ") + std::to_string(id);
        return s;
    };
    std::vector<IlqlSample> out;
    for (size_t i = 0; i < prompts.size(); ++i)
        out.push_back({text(prompts[i], true), text(r.tokens[i], false)});
    return out;
}

IlqlTrainResult IlqlTrainer::train(const IlqlTrainHooks& hooks)
{
    if (m->train.empty())
        throw Error("IlqlTrainer: setData() first");
    const LrScheduleConfig schedule = m->schedule();
    m->savedSchedule = schedule;

    LengthBucketBatcher batcher(Impl::lengthsOf(m->train), m->batcherOptions(true));
    IlqlTrainResult result;
    result.trainExamples = static_cast<int64_t>(m->train.size());
    result.validExamples = static_cast<int64_t>(m->valid.size());
    result.totalSteps = schedule.totalSteps;

    BatchStream stream(std::move(batcher), m->state.cursor);
    const LoopConfig lc = loopConfigOf(m->config, schedule.totalSteps, m->config.effectiveEvalEvery(), hooks);
    m->pendingTokens = 0;
    m->microInStep = 0;

    TrainLoop::Callbacks cb;
    cb.unitsOf = [&](const std::vector<int64_t>& idx) {
        double slots = 0;
        for (auto i : idx) {
            const auto& u = m->trainUnits[static_cast<size_t>(i)];
            slots += u.slots;
            m->pendingTokens += u.tokens;
        }
        return slots;
    };
    cb.microStep = [&](const std::vector<int64_t>& idx, double normaliser) {
        if (m->microInStep == 0) {
            m->stepTokens = m->pendingTokens;
            m->pendingTokens = 0;
        }
        m->microInStep = (m->microInStep + 1) % m->config.gradAccumSteps;
        std::vector<EncodedDialogue> rows;
        int64_t tokens = 0;
        for (auto i : idx) {
            rows.push_back(m->train[static_cast<size_t>(i)]);
            tokens += static_cast<int64_t>(rows.back().tokens.size());
        }
        const auto f = m->forward(rows);
        MicroBatchResult r;
        r.loss = m->scaledLoss(f, normaliser, m->stepTokens);
        r.tokens = tokens;
        r.sums = m->componentSums(f);
        m->accumulateStats(f);
        return r;
    };
    cb.afterOptimizerStep = [&](int64_t) { m->polyak(); };
    cb.extraMetrics = [&]() { return m->takeStats(); };
    cb.evaluate = [&]() -> MetricValues {
        auto metrics = evaluate();
        if (hooks.onSamples && hooks.writer() && m->config.evalSamples > 0 && !m->valid.empty()) {
            const auto samples = sampleReplies(m->valid, m->config.evalSamples, m->config.seed + static_cast<uint64_t>(m->state.step));
            if (!samples.empty())
                hooks.onSamples(m->state.step, samples);
        }
        return metrics;
    };
    cb.saveCheckpoint = checkpointAndPrune(hooks, m->config.keepCheckpoints,
                                           [&](const std::string& dir) { return saveCheckpoint(dir); });

    if (hooks.dist && hooks.dist->worldSize() > 1)
        hooks.dist->requireSame("training examples", tokensHash(m->train, [](const EncodedDialogue& r) -> const std::vector<int64_t>& { return r.tokens; }));
    TrainLoop loop(lc, WarmupCosineSchedule(schedule), *m->optimizer, stream, m->state, cb);
    runTrainSession(loop, hooks, m->state, result);

    return result;
}

void IlqlTrainer::setJobInfo(nlohmann::json info) { m->jobInfo = std::move(info); }
const nlohmann::json& IlqlTrainer::jobInfo() const { return m->jobInfo; }
Transformer& IlqlTrainer::trunk() { return m->trunk; }
Transformer& IlqlTrainer::policyModel() { return m->policy ? m->policy : m->trunk; }
IlqlHeads& IlqlTrainer::heads() { return m->heads; }
Transformer& IlqlTrainer::targetTrunk() { return m->targetTrunk; }
const std::optional<Tokenizer>& IlqlTrainer::tokenizer() const { return m->tokenizer; }
const SpecialTokens& IlqlTrainer::special() const { return m->special; }
const IlqlTrainConfig& IlqlTrainer::config() const { return m->config; }
const TrainState& IlqlTrainer::state() const { return m->state; }
TrainState& IlqlTrainer::state() { return m->state; }
const std::string& IlqlTrainer::kind() const { return m->kind; }
int64_t IlqlTrainer::totalSteps() const { return m->schedule().totalSteps; }

} // namespace hw

namespace hw {

IlqlDecodingModel loadIlqlDecodingModel(const std::string& dirIn, const std::string& device)
{
    const std::string dir = resolveCheckpointDir(dirIn);
    CheckpointReader reader(dir);
    const bool separate = reader.has(kValueTrunkFile);
    const char* headsFile = separate ? kValueHeadsFile : kHeadsFile;
    if (!reader.has(headsFile))
        throw Error(dir + ": no ILQL value heads (" + std::string(headsFile) + "): not an ILQL checkpoint");
    LoadOptions lo;
    lo.device = device;
    lo.dtype = torch::kFloat32;
    lo.loadTokenizer = false;
    lo.resizeToTokenizer = false;
    auto loaded = loadModelDirectory(dir, lo);
    IlqlDecodingModel d;
    d.trunk = loaded.model;
    const auto dev = d.trunk->device();
    if (separate) {
        d.valueTrunk = Transformer(ModelConfig::fromJson(reader.readJson(kValueTrunkConfig)), /*initialize=*/false);
        loadWeights(d.valueTrunk, reader.path(kValueTrunkFile));
        d.valueTrunk->to(dev);
        d.valueTrunk->eval();
    }
    const auto tensors = reader.readTensors(headsFile);
    IlqlHeadsOptions ho;
    ho.hidden = (separate ? d.valueTrunk : d.trunk)->config().hiddenSize;
    ho.vocab = (separate ? d.valueTrunk : d.trunk)->config().vocabSize;
    ho.doubleQ = tensors.count("q2.fc2.weight") > 0;
    d.heads = IlqlHeads(ho);
    loadIlqlHeadsTensors(d.heads, tensors, dir + "/" + headsFile);
    d.heads->to(dev);
    d.heads->eval();
    if (reader.has(kTargetTrunkFile)) {
        d.targetTrunk = cloneTransformer(separate ? d.valueTrunk : d.trunk);
        loadWeights(d.targetTrunk, reader.path(kTargetTrunkFile));
        d.targetTrunk->eval();
    }
    if (reader.has(checkpoint::kTrainConfig)) {
        const auto cfg = reader.readJson(checkpoint::kTrainConfig);
        if (cfg.contains("ilql"))
            d.config = cfg.at("ilql").get<IlqlConfig>();
    }
    d.trunk->eval();
    return d;
}

} // namespace hw
