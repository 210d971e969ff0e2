#include "tiny_chat_checkpoint.h"

#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"
#include "core/rl/ilql_heads.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/train/lm_training_job.h"

#include <torch/torch.h>

#include <filesystem>

namespace hwtest {

namespace {

const char* const kFeelings[] = {"sad", "anxious", "lonely", "stressed", "tired", "angry"};
const char* const kTopics[] = {"my job", "my exams", "my family", "my friend", "money", "sleep"};
const char* const kSupport[] = {
    "I am sorry to hear that. What happened?",
    "That sounds really hard. How long have you felt this way?",
    "It makes sense that you feel this way. Have you talked to someone you trust?",
    "You are not alone in this. What usually helps you relax?",
    "Thank you for telling me. Would a short walk or some rest help today?",
    "I hear you. Maybe we can look at one small step together.",
};

} // namespace

void makeChatProject(const std::string& projectPath, int n)
{
    auto db = hw::Database::open(projectPath);
    hw::DialogueStore store(db);
    hw::Transaction tx(db);
    store.ensureTask(hw::Task::counseling());
    for (int i = 0; i < n; ++i) {
        hw::Dialogue d;
        d.task = "counseling";
        d.source = "jsonl";
        d.uid = "chat-" + std::to_string(i);
        d.reward = static_cast<double>(i % 9 - 4);
        d.rewardSource = "dataset";
        const int turns = 4 + (i % 3) * 2;
        for (int t = 0; t < turns; ++t) {
            hw::Turn turn;
            turn.index = t;
            turn.role = t % 2 == 0 ? hw::Role::User : hw::Role::Agent;
            if (turn.role == hw::Role::User)
                turn.text = std::string("I feel ") + kFeelings[(i + t) % 6] + " about " + kTopics[(i * 7 + t) % 6] + ".";
            else
                turn.text = kSupport[(i + t * 5) % 6];
            d.turns.push_back(std::move(turn));
        }
        d.metadata = {{"situation", std::string("worried about ") + kTopics[i % 6]}};
        store.insert(d);
    }
    tx.commit();
}

std::string trainTinyLm(const std::string& projectPath, hw::LmRole role, int steps, const std::string& outDir)
{
    hw::LmJobOptions o;
    o.projectPath = projectPath;
    o.role = role;
    o.config = hw::LmTrainConfig::tiny();
    o.config.device = "cpu";
    o.config.maxSteps = steps;
    o.config.optimizer.lr = 1e-2;
    o.config.evalEvery = 0;
    o.outDir = outDir;
    return hw::runLmTrainingJob(o).train.checkpointDir;
}

TinyRun trainTinyPolicy(const std::string& projectPath, int steps, uint64_t seed)
{
    hw::LmJobOptions o;
    o.projectPath = projectPath;
    o.role = hw::LmRole::PolicySft;
    o.config = hw::LmTrainConfig::tiny();
    o.config.maxSteps = steps;
    o.config.seed = seed;
    o.config.tokenizerVocab = 320;
    o.config.logEvery = 5;
    o.config.evalEvery = 0;
    o.config.device = "cpu";
    const hw::LmJobResult r = hw::runLmTrainingJob(o);
    return {r.runId, r.train.checkpointDir};
}

void writeRandomIlqlHeads(const std::string& checkpointDir, uint64_t seed)
{
    const auto config = hw::ModelConfig::load((std::filesystem::path(checkpointDir) / "config.json").string());
    torch::manual_seed(seed);
    hw::IlqlHeadsOptions ho;
    ho.hidden = config.hiddenSize;
    ho.vocab = config.vocabSize;
    ho.doubleQ = true;
    hw::IlqlHeads heads(ho);
    heads->hardUpdate();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& p : heads->named_parameters(/*recurse=*/true))
        tensors.emplace_back(p.key(), p.value().detach());
    hw::safetensors::save((std::filesystem::path(checkpointDir) / "ilql_heads.safetensors").string(), tensors);
}

} // namespace hwtest
