// hindsight endpoint: manage the saved LLM endpoint profiles (endpoints.json in the user's
// config folder) and test a connection.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/util/error.h"

#include <iostream>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight endpoint list [--json]
       hindsight endpoint add NAME --url URL --model MODEL [--replica URL ...] [--api-key-env VAR]
                              [--temperature X] [--max-tokens N] [--timeout S] [--max-in-flight N]
                              [--max-attempts N] [--price-prompt X] [--price-completion X]
       hindsight endpoint remove NAME
       hindsight endpoint test NAME|URL [--model MODEL]

Profiles live in $HW_CONFIG_DIR/endpoints.json (default ~/.config/hindsight-workbench/). A profile
names the environment variable that holds the API key; the key itself is never written anywhere.
`add` replaces a profile of the same name. --replica (repeatable) names more servers of the same
model: requests go to the one with the fewest in flight (--max-in-flight each), a failing one is
taken out for a while; --replica none clears the list. `test` sends one tiny uncached request.
)";

int runEndpointCmd(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"url", "model", "replica", "api-key-env", "temperature", "max-tokens", "timeout", "max-in-flight",
                     "max-attempts", "price-prompt", "price-completion"},
                    {"json"});
    const std::string& action = args.positional(0, "list|add|remove|test");
    const std::string path = EndpointProfiles::defaultPath();
    EndpointProfiles profiles = EndpointProfiles::load(path);
    if (action == "list") {
        if (args.flag("json")) {
            std::cout << nlohmann::json(profiles.all()).dump(2) << "\n";
            return 0;
        }
        if (profiles.all().empty())
            std::cout << "no endpoint profiles in " << path << "\n";
        for (const auto& p : profiles.all())
            std::cout << p.name << "  " << p.baseUrl
                      << (p.replicas.empty() ? "" : " (+" + std::to_string(p.replicas.size()) + " replicas)") << "  model " << p.model << "  in flight " << p.maxInFlight
                      << (p.apiKeyEnv.empty() ? "" : "  key $" + p.apiKeyEnv) << "\n";
        return 0;
    }
    if (action == "add") {
        EndpointProfile p;
        if (auto existing = profiles.find(args.positional(1, "NAME")))
            p = *existing;
        p.name = args.positional(1, "NAME");
        p.baseUrl = args.value("url", p.baseUrl);
        p.model = args.value("model", p.model);
        if (const auto replicas = args.values("replica"); !replicas.empty())
            p.replicas = replicas.size() == 1 && replicas[0] == "none" ? std::vector<std::string>{} : replicas;
        p.apiKeyEnv = args.value("api-key-env", p.apiKeyEnv);
        p.temperature = args.doubleValue("temperature", p.temperature);
        p.maxTokens = static_cast<int>(args.intValue("max-tokens", p.maxTokens));
        p.timeoutS = args.doubleValue("timeout", p.timeoutS);
        p.maxInFlight = static_cast<int>(args.intValue("max-in-flight", p.maxInFlight));
        p.maxAttempts = static_cast<int>(args.intValue("max-attempts", p.maxAttempts));
        p.pricePromptPer1k = args.doubleValue("price-prompt", p.pricePromptPer1k);
        p.priceCompletionPer1k = args.doubleValue("price-completion", p.priceCompletionPer1k);
        profiles.upsert(p);
        profiles.save(path);
        std::cout << "saved endpoint '" << p.name << "' in " << path << "\n";
        return 0;
    }
    if (action == "remove") {
        const std::string& name = args.positional(1, "NAME");
        if (!profiles.remove(name))
            throw Error("no endpoint profile named '" + name + "'");
        profiles.save(path);
        std::cout << "removed endpoint '" << name << "'\n";
        return 0;
    }
    if (action == "test") {
        const EndpointProfile p = resolveEndpoint(args.positional(1, "NAME|URL"), args.value("model", ""), profiles);
        const ConnectionTest t = testConnection(p);
        (t.ok ? std::cout : std::cerr) << t.message << "\n";
        return t.ok ? 0 : 1;
    }
    throw Error("unknown action '" + action + "' (expected list, add, remove or test)");
}

const bool registered = registerCommand({"endpoint", "manage and test LLM endpoint profiles", kUsage, &runEndpointCmd});

} // namespace
} // namespace hw::cli
