// hindsight export-model: a checkpoint's model alone (config, weights, tokenizer), for sharing.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/model/model_io.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight export-model CHECKPOINT --out DIR [--dtype float16|bfloat16|float32]

Writes the model of a checkpoint (a train-lm or train checkpoint OUT/step-N, a run directory OUT
for its newest complete checkpoint, or any model directory) as a plain model directory in the
Hugging Face layout: config.json, model.safetensors and the tokenizer (tokenizer.model,
hw_tokenizer.json), without the optimizer, scheduler and RNG state of a trainer. What
train-lm/train --init, generate and serve load; float16/bfloat16 halve the file (loaded as
float32 on the CPU). DIR must not exist yet; it appears complete or not at all.

  --out DIR      the new model directory (required)
  --dtype T      float16 | bfloat16 | float32 (default: the checkpoint's)
)";

int runExportModel(const std::vector<std::string>& argv)
{
    const Args args(argv, {"out", "dtype"}, {});
    const std::string source = resolveCheckpointDir(args.positional(0, "CHECKPOINT"));
    const auto out = args.value("out");
    if (!out)
        throw Error("missing --out DIR");
    std::error_code ec;
    if (fs::exists(*out, ec))
        throw Error(*out + ": exists already; give a new folder");
    std::optional<torch::Dtype> dtype;
    if (const auto d = args.value("dtype")) {
        if (*d == "float16")
            dtype = torch::kHalf;
        else if (*d == "bfloat16")
            dtype = torch::kBFloat16;
        else if (*d == "float32")
            dtype = torch::kFloat32;
        else
            throw Error("--dtype must be float16, bfloat16 or float32, not '" + *d + "'");
    }
    LoadOptions lo;
    lo.device = "cpu";
    lo.dtype = torch::kFloat32;
    lo.loadTokenizer = fs::exists(fs::path(source) / "tokenizer.model");
    const LoadedModel m = loadModelDirectory(source, lo);
    if (!dtype)
        dtype = m.config.torchDtype == "float16"    ? torch::kHalf
                : m.config.torchDtype == "bfloat16" ? torch::kBFloat16
                                                    : torch::kFloat32;
    // Written beside the target and renamed when complete, so an interrupted export leaves no
    // directory that looks like a model.
    const fs::path staging = fs::path(*out).string() + ".partial";
    fs::remove_all(staging, ec);
    saveModelDirectory(staging.string(), m.model, m.tokenizer ? &*m.tokenizer : nullptr, dtype);
    fs::rename(staging, *out, ec);
    if (ec)
        throw Error(*out + ": cannot rename " + staging.string() + " into place: " + ec.message());
    uintmax_t bytes = 0;
    for (const auto& e : fs::directory_iterator(*out))
        bytes += e.is_regular_file() ? e.file_size() : 0;
    std::printf("exported %s to %s: %lld parameters, %s, %.1f MB%s\n", source.c_str(), out->c_str(),
                static_cast<long long>(m.config.parameterCount()),
                dtype == torch::kHalf ? "float16" : dtype == torch::kBFloat16 ? "bfloat16" : "float32",
                double(bytes) / 1e6, m.tokenizer ? "" : " (no tokenizer in the checkpoint)");
    return 0;
}

const bool registered =
    registerCommand({"export-model", "a checkpoint's model alone (config, weights, tokenizer), e.g. as float16",
                     kUsage, &runExportModel});

} // namespace
} // namespace hw::cli
