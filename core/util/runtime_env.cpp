#include "core/util/runtime_env.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace hw {
namespace {

std::set<std::string> words(const std::string& s)
{
    std::set<std::string> out;
    std::istringstream in(s);
    std::string w;
    while (in >> w)
        out.insert(w);
    return out;
}

std::string envOr(const char* name, const std::string& fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

} // namespace

std::string openBlasCoreTypeForFlags(const std::string& flags)
{
    const auto f = words(flags);
    auto has = [&](const char* w) { return f.count(w) > 0; };
    if (has("avx512f") && has("avx512bw") && has("avx512dq") && has("avx512vl"))
        return "SkylakeX";
    if (has("avx2") && has("fma"))
        return "Haswell";
    return {};
}

std::string cpuFlags()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? std::string() : line.substr(colon + 1);
        }
    }
    return {};
}

std::map<std::string, std::string> missingRuntimeEnvironment()
{
    std::map<std::string, std::string> out;
    if (envOr("OPENBLAS_CORETYPE", "").empty()) {
        const std::string core = openBlasCoreTypeForFlags(cpuFlags());
        if (!core.empty())
            out["OPENBLAS_CORETYPE"] = core;
    }
    if (envOr("OMP_WAIT_POLICY", "").empty())
        out["OMP_WAIT_POLICY"] = "PASSIVE";
    return out;
}

void ensureRuntimeEnvironment(int argc, char** argv)
{
    (void)argc;
    if (envOr("HW_RUNTIME_ENV", "") == "1" || envOr("HW_NO_REEXEC", "") == "1")
        return;
    const auto missing = missingRuntimeEnvironment();
    if (missing.empty())
        return;
    for (const auto& [k, v] : missing)
        ::setenv(k.c_str(), v.c_str(), 0);
    ::setenv("HW_RUNTIME_ENV", "1", 1);
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc, unusual sandbox): run on with the libraries as they were loaded.
}

std::string runtimeEnvironmentSummary()
{
    return "OPENBLAS_CORETYPE=" + envOr("OPENBLAS_CORETYPE", "(OpenBLAS default)")
         + " OMP_WAIT_POLICY=" + envOr("OMP_WAIT_POLICY", "(default)");
}

} // namespace hw
