#include "core/model/safetensors.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace hw::safetensors {

namespace {

// The format caps the header at 100 MB; real headers are a few hundred kB.
constexpr uint64_t kMaxHeaderSize = 100ull * 1024 * 1024;

[[noreturn]] void fail(const std::string& path, const std::string& what)
{
    throw Error(path + ": invalid safetensors file: " + what);
}

uint64_t readLe64(const unsigned char* b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | b[i];
    return v;
}

int64_t elementSize(const std::string& dtype)
{
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL") return 1;
    return 0;
}

} // namespace

std::string dtypeName(torch::Dtype dtype)
{
    switch (dtype) {
    case torch::kFloat: return "F32";
    case torch::kHalf: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kDouble: return "F64";
    case torch::kLong: return "I64";
    case torch::kInt: return "I32";
    case torch::kShort: return "I16";
    case torch::kChar: return "I8";
    case torch::kByte: return "U8";
    case torch::kBool: return "BOOL";
    default: throw Error(std::string("safetensors: cannot store dtype ") + c10::toString(dtype));
    }
}

torch::Dtype dtypeFromName(const std::string& name)
{
    if (name == "F32") return torch::kFloat;
    if (name == "F16") return torch::kHalf;
    if (name == "BF16") return torch::kBFloat16;
    if (name == "F64") return torch::kDouble;
    if (name == "I64") return torch::kLong;
    if (name == "I32") return torch::kInt;
    if (name == "I16") return torch::kShort;
    if (name == "I8") return torch::kChar;
    if (name == "U8") return torch::kByte;
    if (name == "BOOL") return torch::kBool;
    throw Error("safetensors: unsupported dtype '" + name + "'");
}

File File::open(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open safetensors file");
    std::error_code ec;
    const uint64_t fileSize = std::filesystem::file_size(path, ec);
    if (ec)
        throw Error(path + ": cannot read file size: " + ec.message());
    if (fileSize < 8)
        fail(path, "file is " + std::to_string(fileSize) + " bytes, shorter than the 8-byte header length (truncated?)");
    unsigned char lenBytes[8];
    in.read(reinterpret_cast<char*>(lenBytes), 8);
    const uint64_t headerSize = readLe64(lenBytes);
    if (headerSize > kMaxHeaderSize)
        fail(path, "header length " + std::to_string(headerSize) + " is implausible (over 100 MB; not a safetensors file?)");
    if (8 + headerSize > fileSize)
        fail(path, "header length " + std::to_string(headerSize) + " runs past the end of the " + std::to_string(fileSize)
                       + "-byte file (truncated?)");
    std::string header(headerSize, '\0');
    in.read(header.data(), static_cast<std::streamsize>(headerSize));
    if (!in)
        fail(path, "cannot read the header");

    nlohmann::json j;
    try {
        j = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& e) {
        fail(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        fail(path, "header is not a JSON object");

    File f;
    f.m_path = path;
    f.m_dataStart = 8 + headerSize;
    const uint64_t dataSize = fileSize - f.m_dataStart;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        const auto& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object())
                fail(path, "__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string())
                    fail(path, "__metadata__ value of '" + m.key() + "' is not a string");
                f.m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "'";
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            fail(path, where + ": entry needs dtype, shape and data_offsets");
        TensorInfo t;
        t.name = name;
        if (!v["dtype"].is_string())
            fail(path, where + ": dtype is not a string");
        t.dtype = v["dtype"].get<std::string>();
        const int64_t es = elementSize(t.dtype);
        if (es == 0)
            fail(path, where + ": unknown dtype '" + t.dtype + "'");
        if (!v["shape"].is_array())
            fail(path, where + ": shape is not an array");
        uint64_t numel = 1;
        for (const auto& d : v["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                fail(path, where + ": shape " + v["shape"].dump() + " has a non-integer or negative dimension");
            const uint64_t dim = d.get<uint64_t>();
            if (dim != 0 && numel > (uint64_t(1) << 62) / dim)
                fail(path, where + ": shape " + v["shape"].dump() + " is too large");
            numel *= dim;
            t.shape.push_back(d.get<int64_t>());
        }
        const auto& off = v["data_offsets"];
        auto nonNegative = [](const nlohmann::json& x) {
            return x.is_number_unsigned() || (x.is_number_integer() && x.get<int64_t>() >= 0);
        };
        if (!off.is_array() || off.size() != 2 || !nonNegative(off[0]) || !nonNegative(off[1]))
            fail(path, where + ": data_offsets must be two non-negative integers, got " + off.dump());
        t.begin = off[0].get<uint64_t>();
        t.end = off[1].get<uint64_t>();
        if (t.end < t.begin)
            fail(path, where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] are reversed");
        if (t.end > dataSize)
            fail(path, where + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end)
                           + "] run past the end of the data (" + std::to_string(dataSize) + " bytes; truncated file?)");
        if (t.end - t.begin != numel * uint64_t(es))
            fail(path, where + ": " + std::to_string(t.end - t.begin) + " bytes for shape " + v["shape"].dump() + " of "
                           + t.dtype + " (expected " + std::to_string(numel * uint64_t(es)) + ")");
        f.m_index[name] = f.m_tensors.size();
        f.m_tensors.push_back(std::move(t));
    }
    // Tensors must not overlap (the format also asks that they cover the data without holes;
    // holes are tolerated, overlaps would alias two tensors).
    std::vector<const TensorInfo*> byOffset;
    for (const auto& t : f.m_tensors)
        if (t.end > t.begin)
            byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->begin < byOffset[i - 1]->end)
            fail(path, "tensors '" + byOffset[i - 1]->name + "' and '" + byOffset[i]->name + "' overlap");
    return f;
}

bool File::contains(const std::string& name) const { return m_index.count(name) > 0; }

const TensorInfo& File::info(const std::string& name) const
{
    const auto it = m_index.find(name);
    if (it == m_index.end())
        throw Error(m_path + ": no tensor '" + name + "'");
    return m_tensors[it->second];
}

torch::Tensor File::read(const std::string& name) const
{
    const TensorInfo& t = info(name);
    auto out = torch::empty(t.shape, torch::TensorOptions().dtype(dtypeFromName(t.dtype)));
    const uint64_t bytes = t.end - t.begin;
    if (bytes == 0)
        return out;
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
        throw Error(m_path + ": cannot open safetensors file to read tensor '" + name + "'");
    in.seekg(static_cast<std::streamoff>(m_dataStart + t.begin));
    in.read(static_cast<char*>(out.data_ptr()), static_cast<std::streamsize>(bytes));
    if (!in)
        throw Error(m_path + ": cannot read tensor '" + name + "' (file changed or truncated?)");
    return out; // little-endian on every platform we build for, like the format
}

std::map<std::string, torch::Tensor> load(const std::string& path)
{
    const File f = File::open(path);
    std::map<std::string, torch::Tensor> out;
    for (const auto& t : f.tensors())
        out[t.name] = f.read(t.name);
    return out;
}

void save(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
          const std::map<std::string, std::string>& metadata, c10::optional<torch::Dtype> floatDtype)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<torch::Tensor> data;
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == "__metadata__" || !seen.insert(name).second)
            throw Error(path + ": duplicate or reserved tensor name '" + name + "'");
        auto t = tensor.detach().to(torch::kCPU);
        if (floatDtype && t.is_floating_point())
            t = t.to(*floatDtype);
        t = t.contiguous();
        const uint64_t bytes = uint64_t(t.numel()) * t.element_size();
        header[name] = {{"dtype", dtypeName(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        data.push_back(t);
    }
    std::string h = header.dump();
    // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
    while ((8 + h.size()) % 8 != 0)
        h.push_back(' ');

    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(tmp + ": cannot write");
        unsigned char len[8];
        uint64_t n = h.size();
        for (int i = 0; i < 8; ++i) {
            len[i] = static_cast<unsigned char>(n & 0xff);
            n >>= 8;
        }
        out.write(reinterpret_cast<const char*>(len), 8);
        out.write(h.data(), static_cast<std::streamsize>(h.size()));
        for (const auto& t : data)
            out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
        out.flush();
        if (!out)
            throw Error(tmp + ": write failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        throw Error(path + ": cannot move the written file into place: " + ec.message());
}

} // namespace hw::safetensors
