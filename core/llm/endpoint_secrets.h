#pragma once
#include <cstddef>
#include <string>

namespace hw {

struct EndpointProfile;

// Position of the '@' that ends the userinfo of a URL ("http://user:pw@host/..."), or npos.
// EndpointProfile::validate() refuses such URLs: the base URL is stored in job records and every
// call-log row and printed by `endpoint test`, so a password in it would be everywhere.
size_t urlUserinfoEnd(const std::string& url);
// The URL with its userinfo replaced by "***", for messages about a refused URL.
std::string redactUrlUserinfo(const std::string& url);

// Throws hw::Error naming the variable when the profile's apiKeyEnv names one that is unset or
// empty (a misspelt --api-key-env would otherwise send unauthenticated requests). LlmClient checks
// this before sending anything.
void requireApiKey(const EndpointProfile& profile);

} // namespace hw
