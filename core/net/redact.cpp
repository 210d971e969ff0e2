#include "core/net/redact.h"

#include <cctype>

namespace hw {
namespace {

bool isKeyChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~'
           || c == '+' || c == '/' || c == '=';
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Masks the token that follows each (case-insensitive) occurrence of `marker`.
void maskAfter(std::string& s, std::string_view marker)
{
    const std::string low = lower(s);
    std::string out;
    size_t pos = 0;
    for (;;) {
        const size_t hit = low.find(marker, pos);
        if (hit == std::string::npos)
            break;
        size_t start = hit + marker.size();
        while (start < s.size() && (s[start] == ' ' || s[start] == '"' || s[start] == '\''))
            ++start;
        size_t end = start;
        while (end < s.size() && isKeyChar(s[end]))
            ++end;
        while (end > start && s[end - 1] == '.')
            --end; // sentence punctuation, not part of the token
        out.append(s, pos, start - pos);
        if (end > start)
            out += "***";
        pos = end;
    }
    out.append(s, pos, std::string::npos);
    s = std::move(out);
}

} // namespace

std::string maskSecrets(std::string_view text, const std::vector<std::string>& secrets)
{
    std::string s(text);
    for (const auto& secret : secrets) {
        if (secret.size() < 4)
            continue;
        size_t pos = 0;
        while ((pos = s.find(secret, pos)) != std::string::npos) {
            s.replace(pos, secret.size(), "***");
            pos += 3;
        }
    }
    maskAfter(s, "bearer ");
    maskAfter(s, "api-key:");
    maskAfter(s, "api_key=");
    maskAfter(s, "api_key\":");
    maskAfter(s, "x-api-key:");
    // sk-XXXXXXXX
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        if (s.compare(i, 3, "sk-") == 0 && (i == 0 || !isKeyChar(s[i - 1]))) {
            size_t end = i + 3;
            while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '-' || s[end] == '_'))
                ++end;
            if (end - i - 3 >= 8) {
                out += "sk-***";
                i = end;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

std::string excerpt(std::string_view text, size_t maxChars)
{
    std::string out;
    const bool cut = text.size() > maxChars;
    size_t n = cut ? maxChars : text.size();
    // Do not cut inside a UTF-8 sequence.
    while (cut && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
        --n;
    out.reserve(n + 4);
    for (size_t i = 0; i < n; ++i)
        out += (text[i] == '\n' || text[i] == '\r') ? ' ' : text[i];
    if (cut)
        out += "\xE2\x80\xA6";
    return out;
}

} // namespace hw
