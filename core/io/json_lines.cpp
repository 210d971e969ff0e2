#include "core/io/json_lines.h"

#include "core/io/json_guard.h"
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

JsonLinesReader::JsonLinesReader(const std::string& path) : m_path(path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(path + ": is a folder, not a JSON Lines file");
    m_in.open(path, std::ios::binary);
    if (!m_in)
        throw Error(path + ": cannot read (" + std::strerror(errno) + ")");
    m_size = std::filesystem::file_size(path, ec);
}

// One line without its '\n', read in blocks so that a line longer than the limit is refused
// after reading kMaxLineBytes, never held whole. False at the end of the file.
bool JsonLinesReader::readLine(std::string& line)
{
    constexpr size_t kBlock = size_t(1) << 20;
    line.clear();
    bool any = false;
    while (true) {
        if (m_bufferPos == m_buffer.size()) {
            m_buffer.resize(kBlock);
            m_in.read(m_buffer.data(), static_cast<std::streamsize>(kBlock));
            m_buffer.resize(static_cast<size_t>(m_in.gcount()));
            m_bufferPos = 0;
            if (m_buffer.empty()) {
                if (m_in.bad())
                    throw Error(m_path + ":" + std::to_string(m_line + 1) + ": read error ("
                                + std::strerror(errno) + ")");
                return any;
            }
        }
        any = true;
        const char* begin = m_buffer.data() + m_bufferPos;
        const size_t avail = m_buffer.size() - m_bufferPos;
        const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
        const size_t take = nl ? static_cast<size_t>(nl - begin) : avail;
        if (line.size() + take > import_limits::kMaxLineBytes)
            throw Error(m_path + ":" + std::to_string(m_line + 1) + ": line longer than the limit of "
                        + std::to_string(import_limits::kMaxLineBytes >> 20)
                        + " MiB (one JSON object per line is expected)");
        line.append(begin, take);
        m_bufferPos += take + (nl ? 1 : 0);
        m_bytes += take + (nl ? 1 : 0);
        if (nl)
            return true;
    }
}

bool JsonLinesReader::next(JsonLine& out)
{
    std::string line;
    while (readLine(line)) {
        ++m_line;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (m_line == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
            line.erase(0, 3);
        out.value = parseJsonFromFile(line, m_path, m_line);
        out.line = m_line;
        return true;
    }
    return false;
}

} // namespace hw
