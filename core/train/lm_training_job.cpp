#include "core/train/lm_training_job.h"

#include "core/model/model_io.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/train/checkpoint.h"
#include "core/train/initial_model.h"
#include "core/train/reward_trainer.h"
#include "core/train/rng_state.h"
#include "core/train/run_recorder.h"
#include "core/util/error.h"

#include <filesystem>

namespace hw {
namespace fs = std::filesystem;

namespace {

void note(const LmJobOptions& o, const std::string& line)
{
    if (o.log)
        o.log(line);
}

std::string resolveTask(Database& db, const std::string& wanted)
{
    DialogueStore store(db);
    if (!wanted.empty()) {
        if (!store.taskId(wanted))
            throw Error(db.path() + ": no task named '" + wanted + "'");
        return wanted;
    }
    std::vector<std::string> withData;
    for (const auto& t : store.tasks())
        if (store.count(t.name) > 0)
            withData.push_back(t.name);
    if (withData.size() == 1)
        return withData[0];
    if (withData.empty())
        throw Error(db.path() + ": the project has no dialogues (import a corpus first)");
    std::string names;
    for (const auto& n : withData)
        names += (names.empty() ? "" : ", ") + n;
    throw Error(db.path() + ": the project has several tasks (" + names + "): choose one with --task");
}

std::string defaultOutDir(const std::string& projectPath, const std::string& kind, int64_t runId)
{
    const fs::path p = fs::absolute(projectPath);
    const std::string suffix = runId > 0 ? std::to_string(runId)
                                         : std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    return (p.parent_path() / (p.stem().string() + ".runs") / (kind + "-" + suffix)).string();
}

// OUT for a checkpoint OUT/step-N; the checkpoint itself otherwise.
std::string runDirOf(const std::string& checkpointDir)
{
    const fs::path p(checkpointDir);
    return p.filename().string().rfind("step-", 0) == 0 ? p.parent_path().string() : p.string();
}

std::vector<Dialogue> selectDialogues(Database& db, LmRole role, const LmTrainConfig& c, const std::string& task)
{
    if (!c.trainingSet.empty()) {
        auto all = loadTrainingSetDialogues(db, c.trainingSet);
        return role == LmRole::Reward ? selectByReward(std::move(all), RewardSlice::All) : all;
    }
    auto all = loadOriginalDialogues(db, task, /*labeledOnly=*/role != LmRole::Forward);
    if (role == LmRole::Forward)
        return all; // every original, labeled or not
    return selectByReward(std::move(all), defaultSlice(role));
}

} // namespace

Transformer makeModelForTraining(const LmTrainConfig& config, int64_t vocabSize)
{
    ModelConfig base = config.modelPreset == "tiny" ? ModelConfig::tiny(vocabSize) : ModelConfig::small(vocabSize);
    nlohmann::json j = base.toJson();
    for (const auto& item : config.model.items())
        j[item.key()] = item.value();
    ModelConfig mc = ModelConfig::fromJson(j);
    mc.vocabSize = std::max(mc.vocabSize, vocabSize);
    mc.maxPositionEmbeddings = std::max(mc.maxPositionEmbeddings, config.maxSeqLen);
    mc.validate();
    seedTorch(config.seed);
    Transformer model(mc);
    model->initWeights();
    return model;
}

nlohmann::json LmJobResult::toJson() const
{
    nlohmann::json j = {{"role", hw::toString(role)},
                        {"task", task},
                        {"run_id", runId},
                        {"out_dir", outDir},
                        {"checkpoint", train.checkpointDir},
                        {"status", train.stopped ? "stopped" : "done"},
                        {"steps", train.state.step},
                        {"total_steps", train.totalSteps},
                        {"dialogues", dialogues},
                        {"train_dialogues", trainDialogues},
                        {"valid_dialogues", validDialogues},
                        {"train_examples", train.trainExamples},
                        {"valid_examples", train.validExamples},
                        {"train_tokens", train.trainTokens},
                        {"padding_ratio", train.paddingRatio},
                        {"tokens_per_s", train.tokensPerSecond},
                        {"seconds", train.state.elapsedSeconds}};
    for (const auto& [k, v] : train.lastTrain)
        j["last"][k] = v;
    for (const auto& [k, v] : train.lastEval)
        j["eval"][k] = v;
    if (reward)
        j["held_out"] = *reward;
    return j;
}

LmJobResult runLmTrainingJob(const LmJobOptions& o)
{
    auto db = Database::open(o.projectPath);
    LmJobResult result;
    result.role = o.role;

    // ---- resume: config, tokenizer and model come from the checkpoint (the budget may be
    // given anew: resumeBudget, applied once the data is known)
    std::optional<LmTrainer> lm;
    std::optional<RewardTrainer> rm;
    LmTrainConfig config = o.config;
    std::string resumeCheckpoint;
    if (!o.resumeDir.empty()) {
        resumeCheckpoint = resolveCheckpointDir(o.resumeDir);
        const auto kind = CheckpointReader(resumeCheckpoint).readTrainerState().kind;
        if (kind != runKind(o.role))
            throw Error(resumeCheckpoint + ": is a checkpoint of a '" + kind + "' run, not " + runKind(o.role));
        if (o.role == LmRole::Reward) {
            rm.emplace(RewardTrainer::resume(resumeCheckpoint));
        } else {
            lm.emplace(LmTrainer::resume(resumeCheckpoint));
        }
        config = LmTrainConfig::fromJson(CheckpointReader(resumeCheckpoint).readJson(checkpoint::kTrainConfig));
        note(o, "resuming " + resumeCheckpoint + " at step "
                    + std::to_string(lm ? lm->state().step : rm->state().step));
    }
    config.validate();
    const std::string task = resolveTask(db, config.task);
    config.task = task;
    result.task = task;

    // ---- data
    auto selected = selectDialogues(db, o.role, config, task);
    if (selected.size() < 2)
        throw Error(o.projectPath + ": only " + std::to_string(selected.size()) + " dialogue(s) selected for role "
                    + hw::toString(o.role) + " of task '" + task + "'"
                    + (o.role == LmRole::Forward ? "" : " (this role needs dialogues with rewards)"));
    const std::string fingerprint = dataFingerprint(selected);
    result.dialogues = static_cast<int64_t>(selected.size());
    auto split = splitDialogues(selected, config.validFraction, config.seed);
    result.trainDialogues = static_cast<int64_t>(split.train.size());
    result.validDialogues = static_cast<int64_t>(split.valid.size());
    note(o, "task '" + task + "', role " + hw::toString(o.role) + ": " + std::to_string(selected.size())
                + " dialogues (" + std::to_string(split.train.size()) + " train, "
                + std::to_string(split.valid.size()) + " held out)");

    // ---- tokenizer and model of a new run
    if (!lm && !rm) {
        InitialModelOptions io;
        io.init = config.init;
        io.device = config.device;
        io.tokenizerPath = o.tokenizerPath;
        io.tokenizerVocab = config.tokenizerVocab;
        io.seed = config.seed;
        io.note = [&](const std::string& line) { note(o, line); };
        io.freshModel = [&](int64_t vocab) { return makeModelForTraining(config, vocab); };
        // Trained on every original dialogue of the task (not just the role's selection), so
        // that the roles of one task can share a vocabulary size and coverage.
        io.corpus = [&] {
            const auto corpusDialogues = loadOriginalDialogues(db, task, false);
            std::vector<std::string> texts;
            for (const auto& d : corpusDialogues) {
                if (isHeldOut(d.uid, config.validFraction, config.seed))
                    continue; // held-out text stays unseen, even by the tokenizer
                for (const auto& t : d.turns)
                    texts.push_back(t.text);
                for (const char* key : {"problem_type", "emotion_type", "situation", "persona"})
                    if (d.metadata.contains(key) && d.metadata[key].is_string())
                        texts.push_back(d.metadata[key].get<std::string>());
            }
            texts.push_back("task: " + task);
            return texts;
        };
        InitialModel start = initialModel(io);
        Transformer model = start.model;
        std::optional<Tokenizer> tokenizer(std::move(start.tokenizer));
        if (o.role == LmRole::Reward) {
            RewardHeadConfig head;
            head.task = task;
            if (auto t = DialogueStore(db).task(task)) {
                head.rewardMin = t->rewardMin;
                head.rewardMax = t->rewardMax;
            }
            seedTorch(config.seed + 1); // the head's init, independent of the trunk's
            rm.emplace(model, *tokenizer, config, head);
        } else {
            const LossTokens loss = config.lossTokens.empty() ? defaultLossTokens(o.role)
                                                              : lossTokensFromString(config.lossTokens);
            lm.emplace(model, *tokenizer, config, loss, runKind(o.role));
        }
    }

    // ---- examples
    const Tokenizer& tokenizer = lm ? lm->tokenizer() : rm->tokenizer();
    CodecOptions co;
    co.includeContext = config.includeContext;
    const DialogueCodec codec(tokenizer, co);
    if (lm) {
        std::vector<EncodedDialogue> train, valid;
        for (const auto& d : split.train)
            for (auto& e : encodeWindows(codec, d, config.maxSeqLen))
                train.push_back(std::move(e));
        for (const auto& d : split.valid)
            for (auto& e : encodeWindows(codec, d, config.maxSeqLen))
                valid.push_back(std::move(e));
        lm->setData(std::move(train), std::move(valid), fingerprint);
    } else {
        rm->setData(makeRewardExamples(codec, split.train, config.maxSeqLen),
                    makeRewardExamples(codec, split.valid, config.maxSeqLen), fingerprint);
    }

    // ---- a resumed run's budget given anew (after setData: an epoch count needs the data)
    if (!resumeCheckpoint.empty() && o.resumeBudget.any()) {
        LmBudgetOverride b = o.resumeBudget;
        if (b.epochs && !b.maxSteps && config.maxSteps > 0)
            b.maxSteps = 0; // maxSteps would otherwise override the epochs asked for
        const int64_t step = lm ? lm->state().step : rm->state().step;
        const int64_t before = lm ? lm->totalSteps() : rm->totalSteps();
        if (lm)
            lm->overrideBudget(b);
        else
            rm->overrideBudget(b);
        const LmTrainConfig& now = lm ? lm->config() : rm->config();
        const int64_t after = lm ? lm->totalSteps() : rm->totalSteps();
        std::string what;
        auto item = [&](const std::string& text) { what += (what.empty() ? "" : ", ") + text; };
        auto num = [](double v) {
            std::string t = std::to_string(v);
            t.erase(t.find_last_not_of('0') + 1);
            if (!t.empty() && t.back() == '.')
                t.pop_back();
            return t;
        };
        if (b.maxSteps)
            item("maxSteps " + std::to_string(config.maxSteps) + " -> " + std::to_string(now.maxSteps));
        if (b.epochs)
            item("epochs " + std::to_string(config.epochs) + " -> " + std::to_string(now.epochs));
        if (b.maxSeconds)
            item("maxSeconds " + num(config.maxSeconds) + " -> " + num(now.maxSeconds));
        if (after != before && after <= step)
            throw Error("the new budget ends the run at step " + std::to_string(after) + ", but " + resumeCheckpoint
                        + " is already at step " + std::to_string(step) + ": nothing to train");
        note(o, "resume: the command line replaces the checkpoint's " + what
                    + (after != before ? "; the run now ends at step " + std::to_string(after) + " (was "
                                             + std::to_string(before)
                                             + "), its learning-rate cosine recomputed for the new end"
                                       : std::string()));
        config = now;
    }

    // ---- run bookkeeping
    TrainState& state = lm ? lm->state() : rm->state();
    std::optional<RunRecorder> recorder;
    const bool writer = !o.dist || o.dist->rank() == 0;   // data-parallel: rank 0 records and writes
    if (o.record && writer) {
        if (state.runId > 0) {
            try {
                recorder.emplace(RunRecorder::resume(o.projectPath, state.runId, state.step));
            } catch (const Error&) {
                recorder.reset(); // run row gone (another project file?): start a new one
            }
        }
        if (!recorder) {
            RunInfo info;
            info.name = hw::toString(o.role) + " · " + task;
            info.kind = runKind(o.role);
            info.config = config.toJson();
            info.lineage = {{"task", task},
                            {"role", hw::toString(o.role)},
                            {"selection", config.trainingSet.empty()
                                              ? (o.role == LmRole::ForwardHard ? "bottom 25% by reward"
                                                 : o.role == LmRole::PolicySft ? "top 25% by reward"
                                                 : o.role == LmRole::Reward   ? "labeled originals"
                                                                              : "all originals")
                                              : "training set " + config.trainingSet},
                            {"dialogues", selected.size()},
                            {"data_fingerprint", fingerprint},
                            {"init", config.init},
                            {"resumed_from", resumeCheckpoint}};
            if (!config.trainingSet.empty()) {
                Statement st(db, "SELECT id FROM training_sets WHERE name = ?");
                st.bind(1, config.trainingSet);
                if (st.step())
                    info.setId = st.int64(0);
            }
            recorder.emplace(RunRecorder::start(o.projectPath, info));
        }
        state.runId = recorder->runId();
        result.runId = recorder->runId();
    }
    result.outDir = !o.outDir.empty()            ? o.outDir
                    : !resumeCheckpoint.empty() ? runDirOf(resumeCheckpoint)
                                                : defaultOutDir(o.projectPath, runKind(o.role), result.runId);
    if (writer)
        fs::create_directories(result.outDir);
    if (recorder)
        recorder->setCheckpointDir(result.outDir);

    TrainHooks hooks;
    hooks.outDir = writer ? result.outDir : "";
    hooks.dist = o.dist;
    hooks.sink = recorder ? &*recorder : nullptr;
    hooks.progress = o.progress;
    hooks.stop = o.stop;
    try {
        if (lm) {
            result.train = lm->train(hooks);
        } else {
            auto r = rm->train(hooks);
            result.reward = r.heldOut;
            result.train = r;
        }
    } catch (const std::exception& e) {
        if (recorder)
            recorder->finish("failed", e.what());
        throw;
    }
    if (recorder)
        recorder->finish(result.train.stopped ? "stopped" : "done");
    return result;
}

} // namespace hw
