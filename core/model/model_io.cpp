#include "core/model/model_io.h"

#include "core/model/device.h"
#include "core/model/safetensors.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

namespace fs = std::filesystem;

namespace hw {

namespace {

std::string shapeText(const std::vector<int64_t>& s)
{
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// name -> file holding it, for a single file or a sharded checkpoint.
struct WeightSource {
    std::string description; // what error messages name
    std::map<std::string, std::shared_ptr<safetensors::File>> byName;
    std::vector<std::shared_ptr<safetensors::File>> files;
};

WeightSource openWeights(const std::string& pathOrDir)
{
    WeightSource src;
    fs::path p(pathOrDir);
    if (fs::is_directory(p)) {
        if (fs::exists(p / "model.safetensors")) {
            p = p / "model.safetensors";
        } else if (fs::exists(p / "model.safetensors.index.json")) {
            const fs::path index = p / "model.safetensors.index.json";
            nlohmann::json j;
            try {
                std::ifstream in(index);
                in >> j;
            } catch (const std::exception& e) {
                throw Error(index.string() + ": not valid JSON: " + e.what());
            }
            if (!j.contains("weight_map") || !j["weight_map"].is_object())
                throw Error(index.string() + ": no weight_map object");
            std::map<std::string, std::shared_ptr<safetensors::File>> opened;
            for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
                if (!it.value().is_string())
                    throw Error(index.string() + ": weight_map entry '" + it.key() + "' is not a file name");
                const std::string shard = it.value().get<std::string>();
                if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
                    throw Error(index.string() + ": shard name '" + shard + "' must be a plain file name");
                auto& f = opened[shard];
                if (!f) {
                    f = std::make_shared<safetensors::File>(safetensors::File::open((p / shard).string()));
                    src.files.push_back(f);
                }
                if (!f->contains(it.key()))
                    throw Error(f->path() + ": no tensor '" + it.key() + "' (listed in " + index.string() + ")");
                src.byName[it.key()] = f;
            }
            src.description = index.string();
            return src;
        } else {
            throw Error(p.string() + ": no model.safetensors or model.safetensors.index.json");
        }
    }
    auto f = std::make_shared<safetensors::File>(safetensors::File::open(p.string()));
    src.files.push_back(f);
    for (const auto& t : f->tensors())
        src.byName[t.name] = f;
    src.description = p.string();
    return src;
}

bool ignorable(const std::string& name)
{
    // Non-persistent buffers some exporters still write.
    return name.find("rotary_emb.inv_freq") != std::string::npos;
}

} // namespace

void loadWeights(Transformer& model, const std::string& pathOrDir)
{
    const WeightSource src = openWeights(pathOrDir);
    const bool tied = model->config().tieWordEmbeddings;
    std::set<std::string> used;
    torch::NoGradGuard noGrad;
    for (auto& p : model->named_parameters(true)) {
        const std::string& name = p.key();
        const auto it = src.byName.find(name);
        if (it == src.byName.end())
            throw Error(src.description + ": missing tensor '" + name + "' (expected by config.json)");
        const auto& info = it->second->info(name);
        if (info.shape != p.value().sizes().vec())
            throw Error(it->second->path() + ": tensor '" + name + "' has shape " + shapeText(info.shape)
                        + ", config.json expects " + shapeText(p.value().sizes().vec()));
        const auto dt = safetensors::dtypeFromName(info.dtype);
        if (!c10::isFloatingType(dt))
            throw Error(it->second->path() + ": tensor '" + name + "' has dtype " + info.dtype + ", expected a float type");
        p.value().copy_(it->second->read(name));
        used.insert(name);
    }
    for (const auto& [name, file] : src.byName) {
        if (used.count(name) || ignorable(name))
            continue;
        if (tied && name == "lm_head.weight") // tied checkpoints sometimes store the copy
            continue;
        throw Error(file->path() + ": unexpected tensor '" + name + "' (not part of the configured model; wrong config.json?)");
    }
}

LoadedModel loadModelDirectory(const std::string& dir, const LoadOptions& options)
{
    if (!fs::is_directory(dir))
        throw Error(dir + ": not a model directory");
    LoadedModel m;
    m.config = ModelConfig::load((fs::path(dir) / "config.json").string());
    if (options.loadTokenizer) {
        const auto tokPath = fs::path(dir) / "tokenizer.model";
        if (!fs::exists(tokPath))
            throw Error(dir + ": no tokenizer.model");
        m.tokenizer = Tokenizer::load(tokPath.string());
    }
    m.model = Transformer(m.config, /*initialize=*/false);
    // Pretrained tokenizers get the dialogue tokens as added tokens; a directory saved by us
    // already has the grown vocabulary, so this resize happens before loading only when the
    // stored weights need it (they match config.json's vocab_size).
    loadWeights(m.model, dir);
    if (m.tokenizer && m.tokenizer->vocabSize() > m.config.vocabSize) {
        if (!options.resizeToTokenizer)
            throw Error(dir + ": tokenizer has " + std::to_string(m.tokenizer->vocabSize())
                        + " tokens, more than the model's vocab_size " + std::to_string(m.config.vocabSize));
        m.model->resizeTokenEmbeddings(m.tokenizer->vocabSize());
        m.config = m.model->config();
    }
    const std::string device = options.device.empty() ? defaultDeviceName() : options.device;
    torch::Dtype dtype = torch::kFloat;
    if (options.dtype)
        dtype = *options.dtype;
    else if (device != "cpu" && m.config.torchDtype == "bfloat16")
        dtype = torch::kBFloat16;
    else if (device != "cpu" && m.config.torchDtype == "float16")
        dtype = torch::kHalf;
    m.model->to(torch::Device(device), dtype);
    return m;
}

void saveModelDirectory(const std::string& dir, const Transformer& model, const Tokenizer* tokenizer,
                        std::optional<torch::Dtype> dtype)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(dir + ": cannot create directory: " + ec.message());
    ModelConfig cfg = model->config();
    const torch::Dtype dt = dtype.value_or(model->dtype());
    cfg.torchDtype = dt == torch::kBFloat16 ? "bfloat16" : dt == torch::kHalf ? "float16" : "float32";
    if (tokenizer) {
        cfg.padTokenId = tokenizer->special().pad;
        cfg.bosTokenId = tokenizer->special().bos;
        cfg.eosTokenId = tokenizer->special().endOfState;
    }
    cfg.save((fs::path(dir) / "config.json").string());
    safetensors::save((fs::path(dir) / "model.safetensors").string(), model->namedWeights(), {{"format", "pt"}}, dt);
    if (tokenizer)
        tokenizer->saveDirectory(dir);
}

} // namespace hw
