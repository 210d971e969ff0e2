#include "core/llm/endpoint_secrets.h"

#include "core/llm/endpoint_profile.h"
#include "core/util/error.h"

#include <cstdlib>

namespace hw {

size_t urlUserinfoEnd(const std::string& url)
{
    const auto scheme = url.find("://");
    if (scheme == std::string::npos)
        return std::string::npos;
    const size_t start = scheme + 3;
    const size_t authorityEnd = url.find_first_of("/?#", start);
    const size_t at = url.rfind('@', authorityEnd == std::string::npos ? std::string::npos : authorityEnd);
    return at != std::string::npos && at >= start ? at : std::string::npos;
}

std::string redactUrlUserinfo(const std::string& url)
{
    const size_t at = urlUserinfoEnd(url);
    if (at == std::string::npos)
        return url;
    return url.substr(0, url.find("://") + 3) + "***" + url.substr(at);
}

void requireApiKey(const EndpointProfile& profile)
{
    if (profile.apiKeyEnv.empty())
        return;
    const char* v = std::getenv(profile.apiKeyEnv.c_str());
    if (v && *v)
        return;
    throw Error("endpoint " + (profile.name.empty() ? redactUrlUserinfo(profile.baseUrl) : "'" + profile.name + "'")
                + ": the API key variable $" + profile.apiKeyEnv + (v ? " is empty" : " is not set")
                + " (named by --api-key-env / apiKeyEnv); set it, or clear apiKeyEnv for an endpoint "
                  "that needs no key");
}

} // namespace hw
