#pragma once
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct JsonLine {
    int line = 0;          // 1-based
    nlohmann::json value;
};

// Reads a JSON Lines file one object per line, keeping line numbers for error messages.
// Blank lines are skipped; a final line without '\n' is fine. Errors are hw::Error
// "PATH:LINE: invalid JSON ...", "PATH:LINE: truncated line ...", or one of the limits of
// core/io/import_limits.h and json_guard.h (a line over kMaxLineBytes is refused before it is
// held in memory).
class JsonLinesReader {
public:
    explicit JsonLinesReader(const std::string& path);
    bool next(JsonLine& out);
    uint64_t bytesRead() const { return m_bytes; }
    uint64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

private:
    bool readLine(std::string& line);

    std::string m_path;
    std::ifstream m_in;
    std::string m_buffer;
    size_t m_bufferPos = 0;
    int m_line = 0;
    uint64_t m_bytes = 0;
    uint64_t m_size = 0;
};

// "PATH:LINE: invalid JSON (...)" from a parse error, without nlohmann's exception prefix;
// "PATH:LINE: truncated ..." when the parser ran out of input (inputSize = bytes it was given).
std::string describeJsonError(const std::string& path, int line, const nlohmann::json::parse_error& e,
                              size_t inputSize);

} // namespace hw
