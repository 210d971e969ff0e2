#include "core/llm/endpoint_profile.h"

#include "core/io/atomic_file.h"
#include "core/llm/endpoint_secrets.h"
#include "core/llm/user_config.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace hw {

namespace {

std::string completionsUrlOf(const std::string& base)
{
    std::string url = base;
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    const std::string suffix = "/chat/completions";
    if (url.size() >= suffix.size() && url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0)
        return url;
    return url + suffix;
}

} // namespace

std::string EndpointProfile::chatCompletionsUrl() const { return completionsUrlOf(baseUrl); }

std::vector<std::string> EndpointProfile::chatCompletionsUrls() const
{
    std::vector<std::string> out{chatCompletionsUrl()};
    for (const auto& r : replicas)
        out.push_back(completionsUrlOf(r));
    return out;
}

std::string EndpointProfile::apiKey() const
{
    if (apiKeyEnv.empty())
        return {};
    const char* v = std::getenv(apiKeyEnv.c_str());
    return v ? std::string(v) : std::string();
}

double EndpointProfile::costOf(int64_t promptTokens, int64_t completionTokens) const
{
    return static_cast<double>(promptTokens) / 1000.0 * pricePromptPer1k
           + static_cast<double>(completionTokens) / 1000.0 * priceCompletionPer1k;
}

void EndpointProfile::validate() const
{
    const std::string url = redactUrlUserinfo(baseUrl);
    const std::string who = "endpoint " + (name.empty() ? url : "'" + name + "'");
    if (baseUrl.rfind("http://", 0) != 0 && baseUrl.rfind("https://", 0) != 0)
        throw Error(who + ": base URL must start with http:// or https:// (got '" + url + "')");
    // The URL is stored in job records and every call-log row and printed by `endpoint test`:
    // a password in it would be everywhere.
    if (urlUserinfoEnd(baseUrl) != std::string::npos)
        throw Error(who + ": the base URL holds a user name or password (" + url
                    + "); credentials in a URL would be stored in job records and the call log, so "
                      "they are refused: put the key in an environment variable and name it with "
                      "--api-key-env (apiKeyEnv in endpoints.json)");
    for (const auto& r : replicas) {
        const std::string shown = redactUrlUserinfo(r);
        if (r.rfind("http://", 0) != 0 && r.rfind("https://", 0) != 0)
            throw Error(who + ": replica URL must start with http:// or https:// (got '" + shown + "')");
        if (urlUserinfoEnd(r) != std::string::npos)
            throw Error(who + ": the replica URL holds a user name or password (" + shown
                        + "); put the key in an environment variable (apiKeyEnv)");
        if (completionsUrlOf(r) == chatCompletionsUrl()
            || std::count(replicas.begin(), replicas.end(), r) > 1)
            throw Error(who + ": replica " + shown + " is listed twice");
    }
    if (model.empty())
        throw Error(who + ": no model given");
    if (maxInFlight < 1)
        throw Error(who + ": maxInFlight must be at least 1");
    if (maxTokens < 1)
        throw Error(who + ": maxTokens must be at least 1");
    if (timeoutS <= 0)
        throw Error(who + ": timeoutS must be positive");
    if (maxAttempts < 1)
        throw Error(who + ": maxAttempts must be at least 1");
    if (pricePromptPer1k < 0 || priceCompletionPer1k < 0)
        throw Error(who + ": prices cannot be negative");
    if (!extraBody.is_object())
        throw Error(who + ": extraBody must be a JSON object");
    if (!apiKeyEnv.empty()
        && !std::all_of(apiKeyEnv.begin(), apiKeyEnv.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
        throw Error(who + ": apiKeyEnv must be the NAME of an environment variable (letters, digits, _), "
                          "not the key itself");
}

std::string EndpointProfiles::defaultPath() { return userConfigDir() + "/endpoints.json"; }

EndpointProfiles EndpointProfiles::load(const std::string& path)
{
    EndpointProfiles out;
    std::ifstream in(path);
    if (!in)
        return out;
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        const auto j = nlohmann::json::parse(ss.str());
        if (!j.is_object() || !j.contains("profiles") || !j["profiles"].is_array())
            throw Error("expected an object with a \"profiles\" array");
        for (const auto& p : j["profiles"]) {
            // A key written into the file would be silently ignored (only apiKeyEnv is read) and
            // left lying in plain text: refuse it and say where the key belongs.
            if (p.is_object())
                for (auto it = p.begin(); it != p.end(); ++it) {
                    std::string k;
                    for (const char c : it.key())
                        if (c != '_' && c != '-')
                            k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    if (k == "apikey" || k == "key" || k == "token" || k == "bearertoken" || k == "password")
                        throw Error("profile '" + p.value("name", std::string("?")) + "' has an inline \""
                                    + it.key() + "\": keys are never read from endpoints.json; remove it, "
                                    "put the key in an environment variable and name that variable in "
                                    "\"apiKeyEnv\"");
                }
            out.m_profiles.push_back(p.get<EndpointProfile>());
            if (urlUserinfoEnd(out.m_profiles.back().baseUrl) != std::string::npos)
                out.m_profiles.back().validate(); // refuses it, with the reason
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": " + e.what());
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    return out;
}

void EndpointProfiles::save(const std::string& path) const
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(path);
    if (p.has_parent_path())
        fs::create_directories(p.parent_path(), ec);
    nlohmann::json j;
    j["profiles"] = m_profiles;
    AtomicFileWriter out(path);
    out.write(j.dump(2) + "\n");
    out.commit();
}

std::optional<EndpointProfile> EndpointProfiles::find(const std::string& name) const
{
    for (const auto& p : m_profiles)
        if (p.name == name)
            return p;
    return std::nullopt;
}

void EndpointProfiles::upsert(EndpointProfile profile)
{
    if (profile.name.empty())
        throw Error("an endpoint profile needs a name");
    profile.validate();
    for (auto& p : m_profiles)
        if (p.name == profile.name) {
            p = std::move(profile);
            return;
        }
    m_profiles.push_back(std::move(profile));
}

bool EndpointProfiles::remove(const std::string& name)
{
    const auto before = m_profiles.size();
    m_profiles.erase(std::remove_if(m_profiles.begin(), m_profiles.end(),
                                    [&](const auto& p) { return p.name == name; }),
                     m_profiles.end());
    return m_profiles.size() != before;
}

EndpointProfile resolveEndpoint(const std::string& nameOrUrl, const std::string& model,
                                const EndpointProfiles& profiles)
{
    EndpointProfile p;
    if (nameOrUrl.rfind("http://", 0) == 0 || nameOrUrl.rfind("https://", 0) == 0) {
        if (model.empty())
            throw Error("--endpoint " + redactUrlUserinfo(nameOrUrl) + " is a URL: give the model with --model");
        p.baseUrl = nameOrUrl;
        p.model = model;
    } else {
        auto found = profiles.find(nameOrUrl);
        if (!found) {
            std::string names;
            for (const auto& q : profiles.all())
                names += (names.empty() ? "" : ", ") + q.name;
            throw Error("no endpoint profile named '" + nameOrUrl + "' (known: "
                        + (names.empty() ? "none" : names) + "; see `hindsight endpoint list`)");
        }
        p = *found;
        if (!model.empty())
            p.model = model;
    }
    p.validate();
    return p;
}

} // namespace hw
