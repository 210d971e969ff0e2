#include "core/train/ilql_trainer_job.h"

#include "core/model/model_io.h"
#include "core/store/training_set_store.h"
#include "core/store/database.h"
#include "core/train/checkpoint.h"
#include "core/train/initial_model.h"
#include "core/train/lm_data.h"
#include "core/train/rng_state.h"
#include "core/train/run_recorder.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

namespace hw {
namespace fs = std::filesystem;

namespace {

void note(const AgentJobOptions& o, const std::string& line)
{
    if (o.log)
        o.log(line);
}

bool isNumber(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A checkpoint directory, a run directory, or a run id of the project.
std::string resolveResume(Database& db, const std::string& what)
{
    if (isNumber(what) && !fs::exists(what)) {
        Statement st(db, "SELECT checkpoint_dir FROM runs WHERE id = ?");
        st.bind(1, static_cast<int64_t>(std::stoll(what)));
        if (!st.step())
            throw Error(db.path() + ": no run with id " + what);
        const std::string dir = st.text(0);
        if (dir.empty())
            throw Error(db.path() + ": run " + what + " has no checkpoint directory to resume from");
        return resolveCheckpointDir(dir);
    }
    return resolveCheckpointDir(what);
}

std::string defaultOutDir(const std::string& projectPath, const std::string& kind, int64_t runId)
{
    const fs::path p = fs::absolute(projectPath);
    const std::string suffix = runId > 0 ? std::to_string(runId)
                                         : std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    return (p.parent_path() / (p.stem().string() + ".runs") / (kind + "-" + suffix)).string();
}

std::string runDirOf(const std::string& checkpointDir)
{
    const fs::path p(checkpointDir);
    return p.filename().string().rfind("step-", 0) == 0 ? p.parent_path().string() : p.string();
}

Transformer freshModel(const IlqlTrainConfig& c, int64_t vocabSize)
{
    ModelConfig base = c.modelPreset == "tiny" ? ModelConfig::tiny(vocabSize) : ModelConfig::small(vocabSize);
    nlohmann::json j = base.toJson();
    for (const auto& item : c.model.items())
        j[item.key()] = item.value();
    ModelConfig mc = ModelConfig::fromJson(j);
    mc.vocabSize = std::max(mc.vocabSize, vocabSize);
    mc.maxPositionEmbeddings = std::max(mc.maxPositionEmbeddings, c.maxSeqLen);
    mc.validate();
    seedTorch(c.seed);
    Transformer model(mc);
    model->initWeights();
    return model;
}

std::vector<EncodedDialogue> encodeAll(const DialogueCodec& codec, const std::vector<Dialogue>& dialogues,
                                       int64_t maxSeqLen)
{
    std::vector<EncodedDialogue> out;
    for (const auto& d : dialogues)
        for (auto& e : encodeWindows(codec, d, maxSeqLen))
            out.push_back(std::move(e));
    return out;
}

// One recorded stage (a run row, its output directory, its samples) around trainer.train().
struct StageOutcome {
    int64_t runId = 0;
    std::string outDir;
    IlqlTrainResult train;
};

StageOutcome runStage(const AgentJobOptions& o, IlqlTrainer& trainer, const std::string& runName,
                      const std::string& kind, std::optional<int64_t> setId, const nlohmann::json& lineage,
                      const std::string& outDirWanted, const std::string& resumedFrom)
{
    StageOutcome out;
    TrainState& state = trainer.state();
    std::optional<RunRecorder> recorder;
    const bool writer = !o.dist || o.dist->rank() == 0;   // data-parallel: rank 0 records and writes
    if (o.record && writer) {
        if (state.runId > 0) {
            try {
                recorder.emplace(RunRecorder::resume(o.projectPath, state.runId, state.step));
            } catch (const Error&) {
                recorder.reset();
            }
        }
        if (!recorder) {
            RunInfo info;
            info.name = runName;
            info.kind = kind;
            info.setId = setId;
            info.config = trainer.config().toJson();
            info.lineage = lineage;
            recorder.emplace(RunRecorder::start(o.projectPath, info));
        }
        state.runId = recorder->runId();
        out.runId = recorder->runId();
    }
    out.outDir = !outDirWanted.empty()   ? outDirWanted
                 : !resumedFrom.empty() ? runDirOf(resumedFrom)
                                        : defaultOutDir(o.projectPath, kind, out.runId);
    if (writer)
        fs::create_directories(out.outDir);
    if (recorder)
        recorder->setCheckpointDir(out.outDir);

    std::optional<Database> samplesDb;
    if (o.record && writer)
        samplesDb.emplace(Database::open(o.projectPath));
    IlqlTrainHooks hooks;
    hooks.outDir = writer ? out.outDir : "";
    hooks.dist = o.dist;
    hooks.sink = recorder ? &*recorder : nullptr;
    hooks.progress = o.progress;
    hooks.stop = o.stop;
    if (samplesDb && out.runId > 0)
        hooks.onSamples = [&](int64_t step, const std::vector<IlqlSample>& samples) {
            Transaction tx(*samplesDb);
            Statement st(*samplesDb, "INSERT INTO run_samples(run_id, step, prompt, reply) VALUES (?, ?, ?, ?)");
            for (const auto& s : samples) {
                st.reset();
                st.bind(1, out.runId).bind(2, step).bind(3, s.prompt).bind(4, s.reply);
                st.exec();
            }
            tx.commit();
        };
    try {
        out.train = trainer.train(hooks);
    } catch (const std::exception& e) {
        if (recorder)
            recorder->finish("failed", e.what());
        throw;
    }
    if (recorder)
        recorder->finish(out.train.stopped ? "stopped" : "done");
    return out;
}

} // namespace

std::vector<std::string> agentKinds() { return {"sft", "rft", "ilql"}; }

nlohmann::json AgentJobResult::toJson() const
{
    nlohmann::json j = {{"agent", agent},
                        {"task", task},
                        {"training_set", trainingSet},
                        {"run_id", runId},
                        {"behaviour_run_id", behaviourRunId},
                        {"behaviour_checkpoint", behaviourCheckpoint},
                        {"out_dir", outDir},
                        {"checkpoint", train.checkpointDir},
                        {"status", train.stopped ? "stopped" : "done"},
                        {"steps", train.state.step},
                        {"total_steps", train.totalSteps},
                        {"train_examples", train.trainExamples},
                        {"valid_examples", train.validExamples},
                        {"tokens_per_s", train.tokensPerSecond},
                        {"seconds", train.state.elapsedSeconds}};
    for (const auto& [k, v] : train.lastTrain)
        j["last"][k] = v;
    for (const auto& [k, v] : train.lastEval)
        j["eval"][k] = v;
    return j;
}

AgentJobResult runAgentTrainingJob(const AgentJobOptions& o)
{
    const auto kinds = agentKinds();
    if (std::find(kinds.begin(), kinds.end(), o.agent) == kinds.end())
        throw Error("unknown agent '" + o.agent + "' (sft, rft or ilql)");
    auto db = Database::open(o.projectPath);
    AgentJobResult result;
    result.agent = o.agent;

    // ---- resume: config, tokenizer, model and stage come from the checkpoint
    std::optional<IlqlTrainer> trainer;
    IlqlTrainConfig config = o.config;
    std::string resumeCheckpoint;
    std::string setName = o.trainingSet;
    bool behaviourStage = false;   // the π_β stage of an ILQL job is being resumed
    if (!o.resume.empty()) {
        resumeCheckpoint = resolveResume(db, o.resume);
        trainer.emplace(IlqlTrainer::resume(resumeCheckpoint));
        const auto& info = trainer->jobInfo();
        const std::string agent = info.value("agent", trainer->kind());
        if (agent != o.agent)
            throw Error(resumeCheckpoint + ": is a checkpoint of a '" + agent + "' job, not " + o.agent);
        behaviourStage = info.value("stage", std::string("agent")) == "behaviour";
        const std::string savedSet = info.value("training_set", std::string());
        if (!setName.empty() && !savedSet.empty() && setName != savedSet)
            throw Error(resumeCheckpoint + ": was trained on set '" + savedSet + "', not '" + setName + "'");
        if (setName.empty())
            setName = savedSet;
        config = behaviourStage ? IlqlTrainConfig::fromJson(info.value("agent_config", nlohmann::json::object()))
                                : trainer->config();
        note(o, "resuming " + resumeCheckpoint + " at step " + std::to_string(trainer->state().step));
    }
    config.validate();
    if (setName.empty())
        throw Error("no training set given (--set NAME; `hindsight trainset list` shows them)");

    // ---- data
    TrainingSetStore sets(db);
    const auto set = sets.find(setName);
    if (!set)
        throw Error(o.projectPath + ": no training set named '" + setName + "'");
    result.trainingSet = setName;
    result.task = set->task;
    auto dialogues = loadTrainingSetDialogues(db, setName);
    if (dialogues.size() < 2)
        throw Error(o.projectPath + ": training set '" + setName + "' has only " + std::to_string(dialogues.size())
                    + " dialogue(s)");
    const std::string fingerprint = dataFingerprint(dialogues);
    auto split = splitDialogues(dialogues, config.validFraction, config.seed);
    note(o, "training set '" + setName + "' (task " + set->task + "): " + std::to_string(dialogues.size())
                + " dialogues (" + std::to_string(split.train.size()) + " train, " + std::to_string(split.valid.size())
                + " held out)");

    const nlohmann::json baseLineage = {{"training_set", setName},
                                        {"training_set_id", set->id},
                                        {"task", set->task},
                                        {"set_spec", set->spec},
                                        {"set_lineage", set->lineage},
                                        {"dialogues", dialogues.size()},
                                        {"data_fingerprint", fingerprint}};

    // ---- a new run: tokenizer and π_β's starting point
    Transformer start{nullptr};
    std::optional<Tokenizer> tokenizer;
    if (!trainer) {
        InitialModelOptions io;
        io.init = config.init;
        io.device = config.device;
        io.tokenizerPath = o.tokenizerPath;
        io.tokenizerVocab = config.tokenizerVocab;
        io.seed = config.seed;
        io.initNote = "π_β: ";
        io.note = [&](const std::string& line) { note(o, line); };
        io.freshModel = [&](int64_t vocab) { return freshModel(config, vocab); };
        io.corpus = [&] {
            auto texts = tokenizerCorpus(split.train); // held-out text stays unseen
            texts.push_back("task: " + set->task);
            return texts;
        };
        InitialModel initial = initialModel(io);
        start = initial.model;
        tokenizer = std::move(initial.tokenizer);
    }
    const Tokenizer& tok = trainer ? *trainer->tokenizer() : *tokenizer;
    CodecOptions co;
    co.includeContext = config.includeContext;
    const DialogueCodec codec(tok, co);
    auto trainExamples = encodeAll(codec, split.train, config.maxSeqLen);
    auto validExamples = encodeAll(codec, split.valid, config.maxSeqLen);
    const nlohmann::json agentConfigJson = config.toJson();

    // ---- stage 1 of ILQL: π_β by behaviour cloning (its own run), unless given
    Transformer base{nullptr};   // the model before behaviour cloning: the value trunk's start
    if (o.agent == "ilql" && (behaviourStage || (!trainer && config.init.empty()))) {
        if (!trainer) {
            trainer.emplace(start, *tokenizer, SpecialTokens{}, config.behaviourCloning(), "sft");
            trainer->setJobInfo({{"agent", "ilql"},
                                 {"stage", "behaviour"},
                                 {"training_set", setName},
                                 {"agent_config", agentConfigJson}});
        }
        trainer->setData(trainExamples, validExamples, fingerprint);
        auto lineage = baseLineage;
        lineage["role"] = "π_β (behaviour cloning) for ILQL";
        note(o, "stage 1: π_β by behaviour cloning, " + std::to_string(trainer->totalSteps()) + " steps");
        const auto bc = runStage(o, *trainer, "π_β · " + setName, "sft", set->id, lineage,
                                 o.outDir.empty() ? "" : (fs::path(o.outDir) / "behaviour").string(),
                                 behaviourStage ? resumeCheckpoint : "");
        result.behaviourRunId = bc.runId;
        result.behaviourCheckpoint = bc.train.checkpointDir;
        if (bc.train.stopped) {
            result.runId = bc.runId;
            result.outDir = bc.outDir;
            result.train = bc.train;
            return result;
        }
        config.init = bc.train.checkpointDir;
        start = cloneTransformer(trainer->trunk());
        tokenizer = *trainer->tokenizer();
        // The model behaviour cloning started from (deterministic in the seed, so the same after
        // a resumed behaviour stage).
        base = freshModel(config, tokenizer->vocabSize());
        trainer.reset();
        resumeCheckpoint.clear();
    } else if (o.agent == "ilql") {
        result.behaviourCheckpoint = config.init;
    }

    // ---- the agent itself
    if (!trainer) {
        const auto cfg = o.agent == "ilql" ? config : config.behaviourCloning();
        Transformer valueTrunk{nullptr};
        if (o.agent == "ilql" && cfg.policy == "separate") {
            if (cfg.valueInit.empty())
                valueTrunk = base;   // null (= a copy of π_β) when π_β came from --init
            else if (cfg.valueInit != "policy") {
                LoadOptions lo;
                lo.device = cfg.device;
                lo.dtype = torch::kFloat32;
                lo.loadTokenizer = false;
                lo.resizeToTokenizer = false;
                valueTrunk = loadModelDirectory(resolveCheckpointDir(cfg.valueInit), lo).model;
                if (valueTrunk->config().vocabSize < start->config().vocabSize)
                    valueTrunk->resizeTokenEmbeddings(start->config().vocabSize);
            }
            note(o, std::string("value trunk starts from ")
                        + (valueTrunk ? (cfg.valueInit.empty() ? "the base model" : cfg.valueInit) : "π_β"));
        }
        trainer.emplace(start, *tokenizer, SpecialTokens{}, cfg, o.agent, valueTrunk);
        trainer->setJobInfo({{"agent", o.agent}, {"stage", "agent"}, {"training_set", setName}});
    }
    trainer->setData(std::move(trainExamples), std::move(validExamples), fingerprint);
    auto lineage = baseLineage;
    lineage["init"] = config.init;
    lineage["policy"] = config.policy;
    lineage["value_init"] = config.valueInit.empty() ? (base ? "base" : "policy") : config.valueInit;
    lineage["pi_beta_run_id"] = result.behaviourRunId;
    lineage["resumed_from"] = resumeCheckpoint;
    note(o, o.agent + ": " + std::to_string(trainer->totalSteps()) + " optimizer steps of "
                + std::to_string(trainer->config().batchSize * trainer->config().gradAccumSteps) + " sequences");
    const auto stage = runStage(o, *trainer, o.agent + " · " + setName, o.agent, set->id, lineage, o.outDir,
                                resumeCheckpoint);
    result.runId = stage.runId;
    result.outDir = stage.outDir;
    result.train = stage.train;
    return result;
}

} // namespace hw
