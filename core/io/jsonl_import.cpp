#include "core/io/jsonl_import.h"

#include "core/io/chat_json.h"
#include "core/io/json_lines.h"
#include "core/util/error.h"

namespace hw {

std::vector<Dialogue> readChatJsonl(const std::string& path, const std::string& defaultTask,
                                    std::vector<int>* lines)
{
    std::vector<Dialogue> out;
    JsonLinesReader reader(path);
    JsonLine line;
    while (reader.next(line)) {
        try {
            out.push_back(dialogueFromChatJson(line.value, defaultTask));
            if (lines)
                lines->push_back(line.line);
        } catch (const Error& e) {
            throw Error(path + ":" + std::to_string(line.line) + ": " + e.what());
        }
    }
    return out;
}

} // namespace hw
