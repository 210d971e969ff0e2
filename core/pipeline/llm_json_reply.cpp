#include "core/pipeline/llm_json_reply.h"

namespace hw {

std::optional<nlohmann::json> firstJsonValue(const std::string& reply, char open, std::string* why)
{
    const char close = open == '[' ? ']' : '}';
    std::string problem = std::string("the reply holds no JSON ") + (open == '[' ? "array" : "object");
    for (size_t start = reply.find(open); start != std::string::npos; start = reply.find(open, start + 1)) {
        // Scan to the bracket that closes this one, skipping strings.
        int depth = 0;
        bool inString = false, escaped = false;
        size_t end = std::string::npos;
        for (size_t i = start; i < reply.size() && end == std::string::npos; ++i) {
            const char c = reply[i];
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
                inString = true;
            else if (c == '[' || c == '{')
                ++depth;
            else if (c == ']' || c == '}')
                if (--depth == 0)
                    end = i;
        }
        if (end == std::string::npos || reply[end] != close) {
            problem = "the JSON in the reply is cut off or unbalanced";
            continue;
        }
        auto j = nlohmann::json::parse(reply.substr(start, end - start + 1), nullptr, false);
        if (!j.is_discarded())
            return j;
        problem = "the reply's JSON is not valid";
    }
    if (why)
        *why = problem;
    return std::nullopt;
}

} // namespace hw
