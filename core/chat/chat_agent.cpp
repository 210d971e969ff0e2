#include "core/chat/chat_agent.h"

#include "core/chat/endpoint_agent.h"
#include "core/chat/local_checkpoint_agent.h"
#include "core/llm/endpoint_profile.h"
#include "core/util/error.h"

#include <filesystem>

namespace hw {

std::unique_ptr<ChatAgent> makeChatAgent(const ChatAgentSpec& spec, const ChatAgentEnv& env)
{
    if (spec.kind == agent_kind::kPolicy || spec.kind == agent_kind::kIlql)
        return std::make_unique<LocalCheckpointAgent>(spec, env.batchSlots);
    if (spec.kind == agent_kind::kEndpoint) {
        promptFileOf(spec.prompting); // an unknown style fails now, not at the first message
        const auto profiles = EndpointProfiles::load(env.endpointsFile.empty() ? EndpointProfiles::defaultPath()
                                                                               : env.endpointsFile);
        if (spec.endpoint.empty())
            throw Error("chat agent '" + spec.displayName() + "': no endpoint given");
        return std::make_unique<EndpointAgent>(spec, resolveEndpoint(spec.endpoint, spec.model, profiles),
                                               env.promptDirs);
    }
    throw Error("unknown chat agent kind '" + spec.kind + "' (expected policy, ilql or endpoint)");
}

CheckpointCapabilities inspectCheckpoint(const std::string& dir)
{
    namespace fs = std::filesystem;
    CheckpointCapabilities c;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        c.error = dir + ": no such directory";
        return c;
    }
    const fs::path d(dir);
    const bool config = fs::is_regular_file(d / "config.json", ec);
    const bool weights = fs::is_regular_file(d / "model.safetensors", ec)
        || fs::is_regular_file(d / "model.safetensors.index.json", ec);
    const bool tokenizer = fs::is_regular_file(d / "tokenizer.model", ec);
    // A reward model (regression head) is a transformer too, but it does not talk.
    const bool rewardModel = fs::is_regular_file(d / "reward_head.safetensors", ec);
    c.policy = config && weights && tokenizer && !rewardModel;
    c.ilqlHeads = c.policy && !ilqlHeadsFile(dir).empty();
    if (rewardModel)
        c.error = dir + ": a reward model, not a policy (it scores dialogues; it does not write turns)";
    else if (!c.policy)
        c.error = dir + ": not a model checkpoint (needs config.json, model.safetensors and tokenizer.model)";
    return c;
}

} // namespace hw
