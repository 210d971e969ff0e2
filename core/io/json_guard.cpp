#include "core/io/json_guard.h"

#include "core/io/json_lines.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

namespace hw {

std::optional<JsonTextProblem> findJsonTextProblem(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    const size_t n = text.size();
    for (size_t i = 0; i < n; ++i) {
        const char c = text[i];
        if (c == '\0')
            return JsonTextProblem{i, "NUL byte (at byte " + std::to_string(i + 1)
                                          + "); NUL characters are not allowed"};
        if (inString) {
            if (c == '"') {
                inString = false;
            } else if (c == '\\' && i + 1 < n) {
                if (text[i + 1] == 'u' && text.substr(i + 2, 4) == "0000")
                    return JsonTextProblem{i, "NUL character (\\u0000) in a string; NUL characters are "
                                              "not allowed"};
                ++i; // the escaped character cannot end the string
            }
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                return JsonTextProblem{i, "JSON nested deeper than the limit of " + std::to_string(maxDepth)
                                              + " levels"};
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::nullopt;
}

std::vector<size_t> topLevelElementOffsets(std::string_view text)
{
    std::vector<size_t> out;
    int depth = 0;
    bool inString = false;
    bool expectElement = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '"')
                inString = false;
            else if (c == '\\')
                ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (depth == 1 && expectElement && c != ']') {
            out.push_back(i);
            expectElement = false;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (depth == 0 && c == '[')
                expectElement = true;
            else if (depth == 0)
                return {};
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectElement = true;
        }
    }
    return out;
}

nlohmann::json parseJsonFromFile(std::string_view text, const std::string& path, int line)
{
    const auto where = [&](size_t offset) {
        return path + ":" + std::to_string(line > 0 ? line : text::lineAt(text, offset)) + ": ";
    };
    if (const auto problem = findJsonTextProblem(text))
        throw Error(where(problem->offset) + problem->reason);
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        const int at = line > 0 ? line : text::lineAt(text, e.byte ? e.byte - 1 : 0);
        std::string msg = describeJsonError(path, at, e, text.size());
        // A line is parsed on its own, so nlohmann's "line 1" is meaningless there.
        if (const auto p = msg.find("at line 1, "); line > 0 && p != std::string::npos)
            msg.replace(p, 11, "at ");
        throw Error(msg);
    } catch (const nlohmann::json::out_of_range& e) {
        // "[json.exception.out_of_range.406] number overflow parsing '1e999999'"
        std::string what = e.what();
        std::string number;
        if (const auto q = what.find('\''); q != std::string::npos)
            number = what.substr(q + 1, what.rfind('\'') > q ? what.rfind('\'') - q - 1 : std::string::npos);
        const size_t offset = number.empty() ? 0 : text.find(number);
        throw Error(where(offset == std::string_view::npos ? 0 : offset) + "number "
                    + (number.empty() ? std::string() : number.substr(0, 40) + " ")
                    + "is too large for a double-precision value");
    }
}

} // namespace hw
