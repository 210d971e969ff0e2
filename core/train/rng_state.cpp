#include "core/train/rng_state.h"

#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/torch.h>

#include <cstring>
#include <mutex>
#include <string>

namespace hw {
namespace {

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string toBase64(const uint8_t* p, size_t n)
{
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = static_cast<uint32_t>(p[i]) << 16;
        if (i + 1 < n)
            v |= static_cast<uint32_t>(p[i + 1]) << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += i + 1 < n ? kB64[(v >> 6) & 63] : '=';
        out += i + 2 < n ? kB64[v & 63] : '=';
    }
    return out;
}

std::vector<uint8_t> fromBase64(const std::string& s, const std::string& origin)
{
    std::vector<uint8_t> out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        if (c == '=')
            break;
        const char* pos = std::char_traits<char>::find(kB64, 64, c);
        if (!pos)
            throw Error(origin + ": random generator state is not valid base64");
        acc = (acc << 6) | static_cast<uint32_t>(pos - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

std::string stateOf(at::Generator gen)
{
    std::lock_guard<std::mutex> lock(gen.mutex());
    const auto t = gen.get_state().contiguous();
    return toBase64(t.data_ptr<uint8_t>(), static_cast<size_t>(t.numel()));
}

void setStateOf(at::Generator gen, const std::string& b64, const std::string& origin)
{
    const auto bytes = fromBase64(b64, origin);
    auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
    std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
    std::lock_guard<std::mutex> lock(gen.mutex());
    try {
        gen.set_state(t);
    } catch (const c10::Error& e) {
        throw Error(origin + ": cannot restore random generator state: " + e.what_without_backtrace());
    }
}

} // namespace

nlohmann::json captureTorchRng()
{
    nlohmann::json j;
    j["torch_cpu"] = stateOf(at::detail::getDefaultCPUGenerator());
    if (torch::cuda::is_available())
        j["torch_cuda"] = stateOf(at::globalContext().defaultGenerator(at::Device(at::kCUDA, 0)));
    return j;
}

void restoreTorchRng(const nlohmann::json& state, const std::string& origin)
{
    if (!state.is_object() || !state.contains("torch_cpu") || !state["torch_cpu"].is_string())
        throw Error(origin + ": random generator state lacks 'torch_cpu'");
    setStateOf(at::detail::getDefaultCPUGenerator(), state["torch_cpu"].get<std::string>(), origin);
    if (state.contains("torch_cuda") && torch::cuda::is_available())
        setStateOf(at::globalContext().defaultGenerator(at::Device(at::kCUDA, 0)),
                   state["torch_cuda"].get<std::string>(), origin);
}

void seedTorch(uint64_t seed)
{
    torch::manual_seed(seed);
    if (torch::cuda::is_available())
        torch::cuda::manual_seed_all(seed);
}

} // namespace hw
