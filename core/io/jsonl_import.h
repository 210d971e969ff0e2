#pragma once
#include "core/data/dialogue.h"

#include <string>
#include <vector>

namespace hw {

// Reads a chat-layout JSON Lines file (see core/io/chat_json.h) into dialogues (not stored).
// Throws hw::Error "PATH:LINE: reason" for malformed input. `lines`, when given, receives the
// line of each dialogue returned.
std::vector<Dialogue> readChatJsonl(const std::string& path, const std::string& defaultTask,
                                    std::vector<int>* lines = nullptr);

} // namespace hw
