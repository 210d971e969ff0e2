#pragma once
// An agent the researcher can talk to: a local checkpoint (π_β alone, or ILQL decoding
// π ∝ π_β·exp(β(Q̂−V)) with β settable while it runs) or an OpenAI-compatible endpoint with a
// prompting baseline (CoT / proactive CoT). Torch stays behind this header, so the GUI and the
// CLI hold agents without seeing libtorch.
//
//   auto agent = makeChatAgent(spec, env);          // loads the checkpoint (seconds); throws hw::Error
//   ChatReply r = agent->reply(request, [&](const TokenValue& t) { show(t.text); }, stop);
//
// One agent serves one conversation at a time (reply() is not reentrant); setBeta() may be called
// from any thread and takes effect at the next token.
#include "core/chat/chat_agent_spec.h"
#include "core/chat/token_value.h"
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/util/progress.h"

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

// What the agent answers: the conversation so far (Role::Agent = this agent's own turns,
// Role::User = the researcher's), ending with the user's newest message.
struct ChatReplyRequest {
    Task task;
    std::string context;          // situation / persona prefix ("" = none)
    std::vector<Turn> history;
};

struct ChatReply {
    std::string text;             // the reply as shown (endpoint: reasoning stripped)
    std::string rawText;          // what the model produced (endpoint: with its reasoning)
    std::vector<TokenValue> tokens; // local agents: one entry per generated token (stop token excluded)
    int64_t tokenCount = 0;       // generated tokens (endpoint: completion tokens reported)
    double seconds = 0.0;         // wall time of the whole reply
    double firstTokenSeconds = 0.0;
    bool cancelled = false;
    nlohmann::json provenance = nlohmann::json::object(); // checkpoint, β, prompt id + hash, model...
};

// Called on the generating thread for every token (local) or once with the whole reply (endpoint).
using TokenStreamFn = std::function<void(const TokenValue& token)>;

// Where agents find what they need besides their spec.
struct ChatAgentEnv {
    std::string endpointsFile;            // "" = EndpointProfiles::defaultPath()
    std::vector<std::string> promptDirs;  // empty = PromptLibrary's default search path
    // Local checkpoints: > 0 decodes on a continuous-batching engine (core/gen) with this many
    // KV slots, so reply() becomes reentrant: conversations in flight share one model and each
    // decoding step is one batch. Only for checkpoints without a separate value trunk (the engine
    // has no companion models); others ignore it (reentrant() says which).
    int64_t batchSlots = 0;
};

class ChatAgent {
public:
    virtual ~ChatAgent() = default;
    ChatAgent(const ChatAgent&) = delete;
    ChatAgent& operator=(const ChatAgent&) = delete;

    const ChatAgentSpec& spec() const { return m_spec; }
    // True when replies carry Q̂, V and π_β per token (checkpoints with ILQL heads).
    virtual bool hasValues() const { return false; }
    // ILQL advantage weight used from the next token on; ignored by other agents.
    virtual void setBeta(double beta) {}
    // True when reply() may be called from several threads at once (a batching local agent).
    virtual bool reentrant() const { return false; }

    // Blocks until the reply is complete or `stop` is requested (then cancelled = true and the
    // text so far is returned). Throws hw::Error (endpoint errors, bad prompts).
    virtual ChatReply reply(const ChatReplyRequest& request, const TokenStreamFn& onToken,
                            const StopToken& stop) = 0;

protected:
    explicit ChatAgent(ChatAgentSpec spec) : m_spec(std::move(spec)) {}
    ChatAgentSpec m_spec;
};

// Builds the agent a spec describes. Local kinds load the checkpoint here (model, tokenizer and,
// for "ilql", the value heads); errors name the directory and what is missing.
std::unique_ptr<ChatAgent> makeChatAgent(const ChatAgentSpec& spec, const ChatAgentEnv& env = {});

// What a checkpoint directory offers, without loading weights (for the agent picker).
struct CheckpointCapabilities {
    bool policy = false;          // a model directory (config.json + weights + tokenizer)
    bool ilqlHeads = false;       // value / Q heads next to it
    std::string error;            // why neither, when so
};
CheckpointCapabilities inspectCheckpoint(const std::string& dir);

} // namespace hw
