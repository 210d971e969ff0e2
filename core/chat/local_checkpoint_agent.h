#pragma once
// A checkpoint as a chat agent, on the KV-cache generation engine (core/model/generation.h):
//   policy: π_β alone (the checkpoint's language model head);
//   ilql:   π(a|s) ∝ π_β(a|s)·exp(β(Q̂(s,a) − V(s))), temperature / top-k / top-p on π_β first,
//           β read at every token (setBeta from any thread).
// A reply ends at </a> (or </s>, </eod>) or maxNewTokens; the end tokens are banned at the first
// step so a reply is never empty (sampling only: the π_β probability shown is not renormalised).
// When the checkpoint has ILQL heads, every token of either kind carries Q̂, V and π_β(a|s), so
// the chat page can shade π_β's replies too. π_β(a|s) is the softmax of π_β's raw logits
// (temperature 1, no filtering); Q̂ and V are those the decoding used. A separate value trunk
// (the ILQL trainer's default layout) decodes alongside π_β on its own KV cache.
// With ChatAgentEnv::batchSlots, replies of several conversations decode in one batch per step
// on a GenerationEngine (same tokens as alone: per-sequence sampling state).
// Internal to core/chat; use makeChatAgent().
#include "core/chat/chat_agent.h"

#include <memory>

namespace hw {

class LocalCheckpointAgent : public ChatAgent {
public:
    // Loads model, tokenizer and (when present) ILQL heads; throws hw::Error naming what failed.
    // batchSlots > 0: decode on a GenerationEngine with that many slots (reply() reentrant) when
    // the checkpoint has no separate value trunk.
    explicit LocalCheckpointAgent(ChatAgentSpec spec, int64_t batchSlots = 0);
    ~LocalCheckpointAgent() override;

    bool hasValues() const override;
    void setBeta(double beta) override;
    bool reentrant() const override;
    ChatReply reply(const ChatReplyRequest& request, const TokenStreamFn& onToken,
                    const StopToken& stop) override;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

// Where a checkpoint keeps its ILQL heads ("" when it has none).
std::string ilqlHeadsFile(const std::string& checkpointDir);

} // namespace hw
