#include "core/io/json_locate.h"

namespace hw {
namespace {

constexpr size_t npos = std::string_view::npos;

size_t skipWs(std::string_view t, size_t p)
{
    while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
        ++p;
    return p;
}

// p at the opening quote; returns the position after the closing quote.
size_t skipString(std::string_view t, size_t p)
{
    for (++p; p < t.size(); ++p) {
        if (t[p] == '\\')
            ++p;
        else if (t[p] == '"')
            return p + 1;
    }
    return npos;
}

// p at the first character of a value; returns the position after it.
size_t skipValue(std::string_view t, size_t p)
{
    if (p >= t.size())
        return npos;
    if (t[p] == '"')
        return skipString(t, p);
    if (t[p] == '{' || t[p] == '[') {
        int depth = 0;
        while (p < t.size()) {
            const char c = t[p];
            if (c == '"') {
                p = skipString(t, p);
                if (p == npos)
                    return npos;
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return p + 1;
            }
            ++p;
        }
        return npos;
    }
    while (p < t.size() && t[p] != ',' && t[p] != '}' && t[p] != ']' && t[p] != ' ' && t[p] != '\n'
           && t[p] != '\r' && t[p] != '\t')
        ++p;
    return p;
}

// p at the start of a container value; returns where the requested child value starts.
size_t child(std::string_view t, size_t p, const JsonPathStep& step)
{
    if (p >= t.size())
        return npos;
    if (const auto* index = std::get_if<size_t>(&step)) {
        if (t[p] != '[')
            return npos;
        p = skipWs(t, p + 1);
        for (size_t i = 0; p < t.size() && t[p] != ']'; ++i) {
            if (i == *index)
                return p;
            p = skipValue(t, p);
            if (p == npos)
                return npos;
            p = skipWs(t, p);
            if (p < t.size() && t[p] == ',')
                p = skipWs(t, p + 1);
        }
        return npos;
    }
    const std::string& key = std::get<std::string>(step);
    if (t[p] != '{')
        return npos;
    p = skipWs(t, p + 1);
    while (p < t.size() && t[p] == '"') {
        const size_t end = skipString(t, p);
        if (end == npos)
            return npos;
        const std::string_view k = t.substr(p + 1, end - p - 2);
        p = skipWs(t, end);
        if (p >= t.size() || t[p] != ':')
            return npos;
        p = skipWs(t, p + 1);
        if (k == key)
            return p;
        p = skipValue(t, p);
        if (p == npos)
            return npos;
        p = skipWs(t, p);
        if (p < t.size() && t[p] == ',')
            p = skipWs(t, p + 1);
    }
    return npos;
}

} // namespace

size_t locateJsonValue(std::string_view text, const std::vector<JsonPathStep>& path)
{
    size_t p = skipWs(text, 0);
    if (text.compare(p, 3, "\xEF\xBB\xBF") == 0)
        p = skipWs(text, p + 3);
    for (const auto& step : path) {
        p = child(text, p, step);
        if (p == npos)
            return npos;
    }
    return p;
}

size_t locateJsonValueOrParent(std::string_view text, std::vector<JsonPathStep> path)
{
    while (true) {
        const size_t p = locateJsonValue(text, path);
        if (p != npos)
            return p;
        if (path.empty())
            return 0;
        path.pop_back();
    }
}

} // namespace hw
