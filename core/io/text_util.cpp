#include "core/io/text_util.h"

#include "core/io/import_limits.h"
#include "core/util/error.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hw::text {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and sets len (1 for invalid bytes,
// which then never count as whitespace).
uint32_t decode(std::string_view s, size_t i, size_t& len)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    len = 1;
    if (b0 < 0x80)
        return b0;
    int n = 0;
    uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 3;
        cp = b0 & 0x07;
    } else {
        return 0xFFFFFFFF;
    }
    for (int k = 1; k <= n; ++k) {
        if (i + k >= s.size())
            return 0xFFFFFFFF;
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80)
            return 0xFFFFFFFF;
        cp = (cp << 6) | (b & 0x3F);
    }
    len = static_cast<size_t>(n) + 1;
    return cp;
}

// Exactly the characters for which Python's str.isspace() is true.
bool isPythonSpace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0
           || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
           || c == 0x202F || c == 0x205F || c == 0x3000;
}

} // namespace

std::string collapseWhitespace(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    bool pendingSpace = false;
    size_t i = 0;
    while (i < s.size()) {
        size_t len = 1;
        const uint32_t cp = decode(s, i, len);
        if (isPythonSpace(cp)) {
            pendingSpace = !out.empty();
        } else {
            if (pendingSpace)
                out += ' ';
            pendingSpace = false;
            out.append(s.data() + i, len);
        }
        i += len;
    }
    return out;
}

std::string trim(std::string_view s)
{
    size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return std::string(s.substr(a, b - a));
}

std::optional<double> parseNumber(std::string_view s)
{
    const std::string t = trim(s);
    if (t.empty())
        return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v))
        return std::nullopt;
    return v;
}

int lineAt(std::string_view text, size_t offset)
{
    if (offset > text.size())
        offset = text.size();
    int line = 1;
    for (size_t i = 0; i < offset; ++i)
        line += text[i] == '\n';
    return line;
}

std::string readFile(const std::string& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(path + ": is a folder, not a file");
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > import_limits::kMaxDocumentBytes)
        throw Error(path + ": file of " + std::to_string(size >> 20) + " MiB is over the limit of "
                    + std::to_string(import_limits::kMaxDocumentBytes >> 20)
                    + " MiB for a file read as one document");
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw Error(path + ": cannot read (" + std::strerror(errno) + ")");
    std::ostringstream ss;
    ss << f.rdbuf();
    if (f.bad())
        throw Error(path + ": read error");
    return ss.str();
}

std::string baseName(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string toLower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string csvField(std::string_view s)
{
    if (s.find_first_of(",\"\n\r") == std::string_view::npos)
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string fixed(double v, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

} // namespace hw::text
