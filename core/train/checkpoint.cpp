#include "core/train/checkpoint.h"

#include "core/model/safetensors.h"
#include "core/train/checkpoint_staging.h"
#include "core/train/rng_state.h"
#include "core/util/error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace hw {
namespace fs = std::filesystem;

namespace {

void writeFile(const std::string& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error(path + ": cannot write");
    out << content;
    out.flush();
    if (!out)
        throw Error(path + ": write failed (disk full?)");
}

// step-00000120 -> 120; -1 when the name is not a step directory.
int64_t stepOfName(const std::string& name)
{
    if (name.rfind("step-", 0) != 0 || name.size() <= 5)
        return -1;
    const std::string digits = name.substr(5);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    return std::stoll(digits);
}

std::vector<std::pair<int64_t, fs::path>> stepDirs(const std::string& outDir)
{
    std::vector<std::pair<int64_t, fs::path>> out;
    std::error_code ec;
    if (!fs::is_directory(outDir, ec))
        return out;
    for (const auto& e : fs::directory_iterator(outDir, ec)) {
        if (!e.is_directory())
            continue;
        const int64_t s = stepOfName(e.path().filename().string());
        if (s >= 0)
            out.emplace_back(s, e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

// ------------------------------------------------------------------ CheckpointWriter

CheckpointWriter::CheckpointWriter(std::string dir) : m_dir(std::move(dir))
{
    while (!m_dir.empty() && m_dir.size() > 1 && m_dir.back() == '/')
        m_dir.pop_back();
    if (m_dir.empty())
        throw Error("checkpoint directory name is empty");
    m_staging = m_dir + ".tmp-" + std::to_string(::getpid());
    // A run killed while saving leaves its staging folder (as large as a checkpoint): the next
    // save into the same output folder removes those of processes that are gone.
    removeStaleCheckpointStaging(fs::path(m_dir).parent_path().empty() ? "." : fs::path(m_dir).parent_path().string());
    std::error_code ec;
    fs::remove_all(m_staging, ec);
    fs::create_directories(m_staging, ec);
    if (ec)
        throw Error(m_staging + ": cannot create checkpoint directory: " + ec.message());
}

CheckpointWriter::~CheckpointWriter()
{
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_staging, ec);
    }
}

void CheckpointWriter::writeJson(const std::string& file, const nlohmann::json& value)
{
    writeFile(m_staging + "/" + file, value.dump(2) + "\n");
}

void CheckpointWriter::writeTensors(const std::string& file,
                                    const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                    const std::map<std::string, std::string>& metadata)
{
    safetensors::save(m_staging + "/" + file, tensors, metadata);
}

void CheckpointWriter::writeOptimizer(const AdamW& optimizer)
{
    const auto state = optimizer.stateTensors();
    writeTensors(checkpoint::kOptimizerTensors, {state.begin(), state.end()}, {{"format", "hindsight-adamw-1"}});
    writeJson(checkpoint::kOptimizerJson, optimizer.stateJson());
}

void CheckpointWriter::writeTrainerState(const TrainState& state, const LrScheduleConfig& schedule,
                                         const std::string& kind, const nlohmann::json& extra)
{
    writeJson(checkpoint::kTrainerState, {{"format_version", checkpoint::kFormatVersion},
                                          {"kind", kind},
                                          {"state", state},
                                          {"schedule", schedule},
                                          {"rng", captureTorchRng()},
                                          {"extra", extra}});
}

std::string CheckpointWriter::commit()
{
    nlohmann::json files = nlohmann::json::array();
    for (const auto& e : fs::directory_iterator(m_staging))
        files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    writeJson(checkpoint::kMarker, {{"format_version", checkpoint::kFormatVersion}, {"files", files}});
    std::error_code ec;
    const std::string old = m_dir + ".old-" + std::to_string(::getpid());
    const bool replacing = fs::exists(m_dir, ec);
    if (replacing) {
        fs::remove_all(old, ec);
        fs::rename(m_dir, old, ec);
        if (ec)
            throw Error(m_dir + ": cannot replace existing checkpoint: " + ec.message());
    }
    fs::rename(m_staging, m_dir, ec);
    if (ec)
        throw Error(m_dir + ": cannot move checkpoint into place: " + ec.message());
    m_committed = true;
    if (replacing)
        fs::remove_all(old, ec);
    return m_dir;
}

// ------------------------------------------------------------------ CheckpointReader

CheckpointReader::CheckpointReader(std::string dir) : m_dir(std::move(dir))
{
    std::error_code ec;
    if (!fs::exists(m_dir, ec))
        throw Error(m_dir + ": no such checkpoint directory");
    if (!fs::is_directory(m_dir, ec))
        throw Error(m_dir + ": not a directory (a checkpoint is a directory)");
}

bool CheckpointReader::has(const std::string& file) const
{
    std::error_code ec;
    return fs::is_regular_file(m_dir + "/" + file, ec);
}

std::string CheckpointReader::path(const std::string& file) const
{
    if (!has(file))
        throw Error(m_dir + ": missing " + file + " (incomplete or not a training checkpoint)");
    return m_dir + "/" + file;
}

nlohmann::json CheckpointReader::readJson(const std::string& file) const
{
    const std::string p = path(file);
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(p + ": corrupted JSON at byte " + std::to_string(e.byte) + " (" + e.what() + ")");
    }
}

std::map<std::string, torch::Tensor> CheckpointReader::readTensors(const std::string& file) const
{
    return safetensors::load(path(file));
}

void CheckpointReader::readOptimizer(AdamW& optimizer) const
{
    const auto json = readJson(checkpoint::kOptimizerJson);
    const auto tensors = readTensors(checkpoint::kOptimizerTensors);
    optimizer.loadState(tensors, json, m_dir + "/" + checkpoint::kOptimizerTensors);
}

TrainerStateFile CheckpointReader::readTrainerState() const
{
    const std::string p = m_dir + "/" + checkpoint::kTrainerState;
    const auto j = readJson(checkpoint::kTrainerState);
    TrainerStateFile out;
    try {
        const int version = j.at("format_version").get<int>();
        if (version > checkpoint::kFormatVersion)
            throw Error(p + ": written by a newer Hindsight Workbench (format "
                        + std::to_string(version) + ")");
        out.kind = j.value("kind", std::string());
        out.state = j.at("state").get<TrainState>();
        out.schedule = j.at("schedule").get<LrScheduleConfig>();
        out.rng = j.at("rng");
        out.extra = j.value("extra", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
        throw Error(p + ": not a valid trainer state (" + e.what() + ")");
    }
    return out;
}

void CheckpointReader::requireResumable() const
{
    for (const char* f : {checkpoint::kMarker, "config.json", "model.safetensors", checkpoint::kOptimizerTensors,
                          checkpoint::kOptimizerJson, checkpoint::kTrainerState, checkpoint::kTrainConfig})
        path(f);
}

// ------------------------------------------------------------------ run directories

std::string stepCheckpointDir(const std::string& outDir, int64_t step)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
    return (fs::path(outDir) / name).string();
}

std::string resolveCheckpointDir(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(path + ": no such checkpoint directory");
    if (!fs::is_directory(path, ec))
        throw Error(path + ": not a directory (a checkpoint is a directory)");
    if (fs::exists(fs::path(path) / checkpoint::kMarker, ec) || fs::exists(fs::path(path) / "config.json", ec))
        return path;
    auto dirs = stepDirs(path);
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
        if (fs::exists(it->second / checkpoint::kMarker, ec))
            return it->second.string();
    throw Error(path + ": neither a checkpoint (no config.json) nor a run directory with a complete "
                       "step-N checkpoint");
}

std::vector<std::string> pruneCheckpoints(const std::string& outDir, int keep)
{
    std::vector<std::string> removed;
    if (keep <= 0)
        return removed;
    // Only complete checkpoints count (and are deleted); anything else is left alone.
    std::error_code ec;
    auto dirs = stepDirs(outDir);
    dirs.erase(std::remove_if(dirs.begin(), dirs.end(),
                              [&](const auto& d) { return !fs::exists(d.second / checkpoint::kMarker, ec); }),
               dirs.end());
    for (size_t i = 0; i + static_cast<size_t>(keep) < dirs.size(); ++i) {
        fs::remove_all(dirs[i].second, ec);
        removed.push_back(dirs[i].second.string());
    }
    return removed;
}

} // namespace hw
