#include "core/io/json_lines.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hw {

std::string describeJsonError(const std::string& path, int line, const nlohmann::json::parse_error& e,
                              size_t inputSize)
{
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
    if (const auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
        what = what.substr(p + 2);
    const bool truncated = e.byte > inputSize || what.find("unexpected end of input") != std::string::npos;
    return path + ":" + std::to_string(line) + ": "
           + (truncated ? "truncated JSON, the input ends inside a value (" : "invalid JSON (") + what + ")";
}

JsonLinesReader::JsonLinesReader(const std::string& path) : m_path(path), m_in(path, std::ios::binary)
{
    if (!m_in)
        throw Error(path + ": cannot read (" + std::strerror(errno) + ")");
    std::error_code ec;
    m_size = std::filesystem::file_size(path, ec);
}

bool JsonLinesReader::next(JsonLine& out)
{
    std::string line;
    while (std::getline(m_in, line)) {
        ++m_line;
        m_bytes += line.size() + 1;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (m_line == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
            line.erase(0, 3);
        try {
            out.value = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            // Lines are parsed one by one, so nlohmann's own "line 1" is meaningless here.
            std::string msg = describeJsonError(m_path, m_line, e, line.size());
            if (const auto p = msg.find("at line 1, "); p != std::string::npos)
                msg.replace(p, 11, "at ");
            throw Error(msg);
        }
        out.line = m_line;
        return true;
    }
    if (m_in.bad())
        throw Error(m_path + ":" + std::to_string(m_line) + ": read error");
    return false;
}

} // namespace hw
