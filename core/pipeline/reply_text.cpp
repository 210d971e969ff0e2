#include "core/pipeline/reply_text.h"

#include <algorithm>
#include <cctype>

namespace hw::reply {

size_t quoteAt(std::string_view s, size_t i)
{
    if (i >= s.size())
        return 0;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\'' || c == '`')
        return 1;
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
        const unsigned char d = static_cast<unsigned char>(s[i + 2]);
        if (d == 0x9C || d == 0x9D || d == 0x98 || d == 0x99 || d == 0x9E || d == 0x9A)
            return 3;
    }
    if (c == 0xC2 && i + 1 < s.size()) {
        const unsigned char d = static_cast<unsigned char>(s[i + 1]);
        if (d == 0xAB || d == 0xBB)
            return 2;
    }
    return 0;
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

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string stripReasoning(std::string_view s)
{
    std::string text(s);
    const std::string low = lower(text);
    std::string out;
    size_t pos = 0;
    for (;;) {
        const size_t open = low.find("<think>", pos);
        if (open == std::string::npos)
            break;
        const size_t close = low.find("</think>", open);
        out.append(text, pos, open - pos);
        if (close == std::string::npos) {
            pos = text.size(); // unterminated: everything after <think> is reasoning
            break;
        }
        pos = close + 8;
    }
    if (pos < text.size())
        out.append(text, pos, std::string::npos);
    // A reply that only closes a reasoning block ("...</think>answer").
    const std::string lowOut = lower(out);
    if (const size_t close = lowOut.find("</think>"); close != std::string::npos)
        out = out.substr(close + 8);
    std::string result;
    for (const auto& line : lines(out)) {
        if (trim(line).rfind("```", 0) == 0)
            continue;
        result += line;
        result += '\n';
    }
    return result;
}

std::string stripEmphasis(std::string_view s)
{
    std::string out;
    for (char c : s)
        if (c != '*' && c != '_')
            out += c;
    return trim(out);
}

std::vector<std::string> lines(std::string_view s)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t e = s.find('\n', pos);
        if (e == std::string_view::npos)
            e = s.size();
        std::string line(s.substr(pos, e - pos));
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        out.push_back(std::move(line));
        if (e == s.size())
            break;
        pos = e + 1;
    }
    return out;
}

std::string normalize(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    bool space = true;
    auto put = [&](char c) {
        if (c == ' ') {
            if (!space)
                out += ' ';
            space = true;
        } else {
            out += c;
            space = false;
        }
    };
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (const size_t q = quoteAt(s, i)) {
            // Apostrophes inside words ("don't") vanish; other quotes separate words.
            const bool inner = i > 0 && i + q < s.size() && std::isalnum(static_cast<unsigned char>(s[i - 1]))
                               && std::isalnum(static_cast<unsigned char>(s[i + q]));
            if (!inner)
                put(' ');
            i += q;
            continue;
        }
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
            // dashes, ellipsis, non-breaking and other spaces in the 2000 block
            put(' ');
            i += 3;
            continue;
        }
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
            put(' ');
            i += 2;
            continue;
        }
        if (c >= 0x80) {
            put(static_cast<char>(c));
            ++i;
            continue;
        }
        if (std::isalnum(c))
            put(static_cast<char>(std::tolower(c)));
        else
            put(' ');
        ++i;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::vector<std::string> tokens(std::string_view normalized)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < normalized.size()) {
        size_t e = normalized.find(' ', pos);
        if (e == std::string_view::npos)
            e = normalized.size();
        if (e > pos)
            out.emplace_back(normalized.substr(pos, e - pos));
        pos = e + 1;
    }
    return out;
}

size_t editDistance(std::string_view a, std::string_view b, size_t max)
{
    const size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > max)
        return max + 1;
    std::vector<size_t> prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; ++j)
        prev[j] = j;
    for (size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        size_t rowMin = cur[0];
        for (size_t j = 1; j <= m; ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            rowMin = std::min(rowMin, cur[j]);
        }
        if (rowMin > max)
            return max + 1;
        std::swap(prev, cur);
    }
    return prev[m];
}

} // namespace hw::reply
