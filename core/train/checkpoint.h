#pragma once
// Training checkpoints: one directory per checkpoint, written atomically.
//
//   DIR/config.json                 model architecture (HF keys)         } model_io.h's layout:
//   DIR/model.safetensors           weights, HF tensor names              } `serve`, `generate` and
//   DIR/tokenizer.model (+ hw_tokenizer.json)                             } transformers load these
//   DIR/optimizer.safetensors       AdamW moments per parameter name
//   DIR/optimizer.json              AdamW options, step count, parameter names
//   DIR/trainer_state.json          TrainState (step, data cursor, best eval, run id), the LR
//                                   schedule, torch RNG state, trainer kind
//   DIR/train_config.json           the trainer's full configuration
//   DIR/hw_checkpoint.json          written last: format version and file list (= complete)
//   (+ trainer-specific files, e.g. reward_head.safetensors, ilql_heads.safetensors)
//
// A run's output directory holds one checkpoint per saved step, OUT/step-00000120, so
// resolveCheckpointDir(OUT) finds the newest complete one.
#include "core/train/adamw.h"
#include "core/train/lr_schedule.h"
#include "core/train/train_state.h"

#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hw {

class Tokenizer;

namespace checkpoint {
inline constexpr const char* kMarker = "hw_checkpoint.json";
inline constexpr const char* kOptimizerTensors = "optimizer.safetensors";
inline constexpr const char* kOptimizerJson = "optimizer.json";
inline constexpr const char* kTrainerState = "trainer_state.json";
inline constexpr const char* kTrainConfig = "train_config.json";
inline constexpr int kFormatVersion = 1;
} // namespace checkpoint

// Builds a checkpoint in a staging directory beside the target (DIR.tmp-<pid>) and moves it into
// place on commit(), so a crash mid-save never leaves a half-written checkpoint under DIR.
// An existing DIR is replaced. Without commit() the staging directory is removed.
class CheckpointWriter {
public:
    explicit CheckpointWriter(std::string dir);
    ~CheckpointWriter();
    CheckpointWriter(const CheckpointWriter&) = delete;
    CheckpointWriter& operator=(const CheckpointWriter&) = delete;

    // Where to write files now (e.g. for saveModelDirectory).
    const std::string& stagingDir() const { return m_staging; }
    const std::string& dir() const { return m_dir; }

    void writeJson(const std::string& file, const nlohmann::json& value);
    void writeTensors(const std::string& file, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
    void writeOptimizer(const AdamW& optimizer);
    // trainer_state.json: state + schedule + torch RNG + kind.
    void writeTrainerState(const TrainState& state, const LrScheduleConfig& schedule, const std::string& kind,
                           const nlohmann::json& extra = nlohmann::json::object());
    // Writes the marker and moves the directory into place. Returns the final directory.
    std::string commit();

private:
    std::string m_dir;
    std::string m_staging;
    bool m_committed = false;
};

// What trainer_state.json holds.
struct TrainerStateFile {
    TrainState state;
    LrScheduleConfig schedule;
    std::string kind;
    nlohmann::json rng;     // captureTorchRng()
    nlohmann::json extra;   // trainer-specific (e.g. reward normalisation)
};

// Reads a checkpoint directory. Every error is an hw::Error that names the directory and the
// file ("missing optimizer.json", "corrupted JSON at byte 12", "shape [4,8] != [4,16]").
class CheckpointReader {
public:
    // Throws when dir is not a directory. Does not require the marker: a plain HF model
    // directory opens too (has() then tells what is there).
    explicit CheckpointReader(std::string dir);

    const std::string& dir() const { return m_dir; }
    bool has(const std::string& file) const;
    bool isComplete() const { return has(checkpoint::kMarker); }
    std::string path(const std::string& file) const; // DIR/file; throws when missing
    nlohmann::json readJson(const std::string& file) const;
    std::map<std::string, torch::Tensor> readTensors(const std::string& file) const;
    // Restores optimizer state (names and shapes checked against the optimizer's parameters).
    void readOptimizer(AdamW& optimizer) const;
    TrainerStateFile readTrainerState() const;
    // Throws unless the checkpoint is complete and holds everything a resume needs.
    void requireResumable() const;

private:
    std::string m_dir;
};

// A checkpoint directory, or a run's output directory (then its newest complete step-N
// checkpoint). Throws hw::Error when there is none.
std::string resolveCheckpointDir(const std::string& path);
// OUT/step-00000120
std::string stepCheckpointDir(const std::string& outDir, int64_t step);
// Deletes the oldest complete step-N checkpoints of outDir beyond the newest `keep` complete ones
// (keep <= 0: none); incomplete directories are left alone.
// Returns the directories removed.
std::vector<std::string> pruneCheckpoints(const std::string& outDir, int keep);

} // namespace hw
