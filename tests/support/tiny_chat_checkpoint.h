#pragma once
// A real, tiny chat checkpoint for the chat tests and benchmarks: a project with a few dozen
// short counseling dialogues, a π_β trained on it by the real LM trainer (policy-sft role, tiny
// configuration, seconds on a CPU) and recorded as a run, and optionally ILQL heads beside it.
// Torch-free header (the implementation uses the core trainer).
#include <cstdint>
#include <string>

namespace hw {
enum class LmRole; // core/train/lm_data.h
}

namespace hwtest {

// Creates the project file with n labeled counseling dialogues (varied wording).
void makeChatProject(const std::string& projectPath, int n = 48);

struct TinyRun {
    int64_t runId = 0;
    std::string checkpointDir;
};
// Trains the tiny behaviour policy for `steps` optimizer steps; the run is recorded in the project.
TinyRun trainTinyPolicy(const std::string& projectPath, int steps = 40, uint64_t seed = 0);

// Trains a tiny model of `role` on the project's dialogues (tiny configuration, CPU, learning
// rate 1e-2, no evaluation) for `steps` optimizer steps into outDir; returns its checkpoint.
std::string trainTinyLm(const std::string& projectPath, hw::LmRole role, int steps, const std::string& outDir);

// Writes ilql_heads.safetensors (value and Q heads, seeded random initialisation) into a
// checkpoint, so it can be decoded as ILQL and every token carries Q̂ and V. Stand-in until the
// test trains real heads.
void writeRandomIlqlHeads(const std::string& checkpointDir, uint64_t seed = 1);

} // namespace hwtest
