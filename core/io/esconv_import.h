#pragma once
#include "core/data/dialogue.h"

#include <string>
#include <vector>

namespace hw {

// Reads one ESConv file into counseling dialogues (not stored). The layout is detected from the
// content: JSON Lines (Hugging Face release: dialog[].text/speaker usr|sys/strategy) or one JSON
// array (original ESConv.json / FailedESConv.json: dialog[].content/speaker seeker|supporter or
// speaker|listener, annotation.strategy).
//   uid    = dialogueContentHash of the utterance texts (the rule in the dataset README)
//   reward = initial - final emotion intensity; none when the final intensity is missing
//   split  = train|valid|test from the file name; files named *Failed* get kFlagFailed
// Throws hw::Error "PATH:LINE: reason" for malformed input. `lines`, when given, receives the
// line on which each returned dialogue starts.
std::vector<Dialogue> readEsconvFile(const std::string& path, std::vector<int>* lines = nullptr);

// The dialogue files of an ESConv folder: train/valid/test.json, ESConv.json, FailedESConv.json
// (strategy.json and other files are not dialogues). Throws when there are none.
std::vector<std::string> esconvFilesIn(const std::string& dir);

} // namespace hw
