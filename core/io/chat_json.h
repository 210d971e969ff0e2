#pragma once
#include "core/data/dialogue.h"

#include <nlohmann/json.hpp>
#include <string>

namespace hw {

// The common chat layout used by TRL / OpenAI fine-tuning files, one dialogue per line:
//   {"id": "...", "task": "counseling",
//    "messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "...",
//                  "annotations": {"strategy": "Question"}}],
//    "reward": 1.5, "metadata": {...},
//    "reward_source": "dataset", "source": "esconv", "split": "train", "flags": 2}
// Only "messages" is required. Roles: "assistant"/"agent" -> agent, "user" -> user; "system"
// messages are kept in metadata["system_messages"] as [{"position", "content"}] and written back
// in place on export. Extra keys of a message go to the turn's annotations. A missing "id" is the
// content hash of the messages; a missing "task" is defaultTask.
// Throws hw::Error with the reason only (the caller adds "FILE:LINE: ").
Dialogue dialogueFromChatJson(const nlohmann::json& j, const std::string& defaultTask);

// How much of a turn goes into its message.
enum class ChatMessageStyle {
    Annotated, // {"role", "content", "annotations"}: round-trips every turn annotation
    Plain,     // {"role", "content"} only: OpenAI's fine-tuning check rejects unknown message keys
};

// The inverse: exporting then importing gives the same dialogue (and the same line again).
// Plain messages lose the turn annotations (e.g. ESConv strategies) on the way back.
nlohmann::ordered_json dialogueToChatJson(const Dialogue& d,
                                          ChatMessageStyle style = ChatMessageStyle::Annotated);

} // namespace hw
