#pragma once
// Reading and writing the safetensors format (https://huggingface.co/docs/safetensors):
//   [u64 little-endian header size N][N bytes JSON header][tensor bytes]
// header: {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//          "__metadata__": {"k": "v"}}; offsets are relative to the byte after the header.
// Never pickle. Every error is an hw::Error whose message starts with the file path and names the
// tensor (truncated file, header not JSON, offsets outside the data or overlapping, unknown dtype,
// shape/size mismatch).
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hw::safetensors {

struct TensorInfo {
    std::string name;
    std::string dtype;            // "F32" | "F16" | "BF16" | "F64" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL"
    std::vector<int64_t> shape;
    uint64_t begin = 0;           // byte offsets within the data section
    uint64_t end = 0;
};

// An opened file: header parsed and validated, data read lazily (one read per tensor).
class File {
public:
    static File open(const std::string& path);

    const std::string& path() const { return m_path; }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    bool contains(const std::string& name) const;
    const TensorInfo& info(const std::string& name) const; // throws naming file and tensor
    // Reads one tensor as a CPU tensor of its stored dtype.
    torch::Tensor read(const std::string& name) const;

private:
    std::string m_path;
    uint64_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

// All tensors of a file (CPU, stored dtypes).
std::map<std::string, torch::Tensor> load(const std::string& path);

// Writes tensors (any device; contiguous copies are made) in the given order; names must be unique.
// dtype: keep each tensor's dtype when undefined, else convert floating tensors to it.
void save(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
          const std::map<std::string, std::string>& metadata = {},
          c10::optional<torch::Dtype> floatDtype = c10::nullopt);

std::string dtypeName(torch::Dtype dtype);       // "F32", ...
torch::Dtype dtypeFromName(const std::string& name); // throws hw::Error for unknown names

} // namespace hw::safetensors
