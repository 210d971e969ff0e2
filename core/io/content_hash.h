#pragma once
#include <string>
#include <vector>

namespace hw {

// Stable id of a dialogue that has none (ESConv, JSONL without "id"): the first 16 hex digits of
//   sha1("\n".join(" ".join(u.split()) for u in utterances).encode("utf-8"))
// exactly as documented in ../shared/data/esconv/README.md, so ids match other tools' ids.
std::string dialogueContentHash(const std::vector<std::string>& utterances);

} // namespace hw
