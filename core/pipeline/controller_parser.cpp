#include "core/pipeline/controller_parser.h"

#include "core/pipeline/reply_text.h"

#include <cctype>

namespace hw {
namespace {

using reply::quoteAt;
using reply::trim;

// If `line` starts with a list number, returns the offset of the item text and sets `number`.
// Accepts: 1. 1) (1) 1: #1 **1.** - 1. * 1) and "Item 1:" / "Suggestion 1:".
size_t numberPrefix(const std::string& line, int& number)
{
    size_t i = 0;
    auto skipSpaces = [&] {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
    };
    skipSpaces();
    // bullets and emphasis before the number
    while (i < line.size() && (line[i] == '*' || line[i] == '_' || line[i] == '-' || line[i] == '#' || line[i] == '>')) {
        ++i;
        skipSpaces();
    }
    const std::string low = reply::lower(line.substr(i, 12));
    for (const char* word : {"suggestion", "item"}) {
        const std::string w = word;
        if (low.rfind(w, 0) == 0) {
            i += w.size();
            skipSpaces();
            break;
        }
    }
    bool paren = false;
    if (i < line.size() && line[i] == '(') {
        paren = true;
        ++i;
    }
    const size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])))
        ++i;
    if (i == digits || i - digits > 2)
        return std::string::npos;
    number = std::stoi(line.substr(digits, i - digits));
    if (paren) {
        if (i >= line.size() || line[i] != ')')
            return std::string::npos;
        ++i;
    } else {
        if (i >= line.size())
            return std::string::npos;
        // "1." "1)" "1:" and bold "**1.**"
        if (line[i] == '.' || line[i] == ')' || line[i] == ':')
            ++i;
        else if (line[i] != '*')
            return std::string::npos;
    }
    while (i < line.size() && (line[i] == '*' || line[i] == '_'))
        ++i;
    if (i < line.size() && line[i] != ' ' && line[i] != '\t' && !quoteAt(line, i))
        return std::string::npos;
    skipSpaces();
    return i;
}

// Removes a short "Label:" (1-4 words, letters only) at the start of s.
std::string stripLabel(const std::string& s)
{
    const std::string t = trim(s);
    const size_t colon = t.find(':');
    if (colon == std::string::npos || colon > 40 || colon == 0)
        return t;
    int words = 1;
    for (size_t i = 0; i < colon; ++i) {
        const char c = t[i];
        if (c == ' ')
            ++words;
        else if (!std::isalpha(static_cast<unsigned char>(c)) && c != '*' && c != '_' && c != '\'')
            return t;
    }
    if (words > 4)
        return t;
    std::string rest = t.substr(colon + 1);
    size_t k = 0;
    while (k < rest.size() && (rest[k] == '*' || rest[k] == '_'))
        ++k;
    return trim(rest.substr(k));
}

// Offset of an opening quote that starts the field at `from` (after spaces, emphasis and an
// optional short "Label:"), or npos.
size_t openingQuoteAfter(const std::string& s, size_t from)
{
    auto skip = [&](size_t i) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '*' || s[i] == '_'))
            ++i;
        return i;
    };
    size_t i = skip(from);
    if (quoteAt(s, i))
        return i;
    // Label: up to 4 words of letters, then ':'
    size_t j = i;
    int words = 1;
    while (j < s.size() && j - i <= 40 && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == ' ')) {
        words += s[j] == ' ';
        ++j;
    }
    if (j == i || j >= s.size() || s[j] != ':' || words > 4)
        return std::string::npos;
    j = skip(j + 1);
    return quoteAt(s, j) ? j : std::string::npos;
}

bool looksComplete(const std::string& text)
{
    std::string t = trim(text);
    while (!t.empty() && (t.back() == '*' || t.back() == '_'))
        t.pop_back();
    if (!t.empty() && t.back() == '/')
        return true;
    int semis = 0;
    for (char c : t)
        semis += c == ';';
    if (semis < 2 || t.empty())
        return false;
    // ends with a closing quote
    for (size_t q : {1u, 2u, 3u})
        if (t.size() >= q && quoteAt(t, t.size() - q) == q)
            return true;
    return false;
}

// Parses the fields of one item body into item (sets item.error on failure).
void parseFields(std::string body, ControllerItem& item)
{
    body = trim(body);
    // Leading/trailing bold around the whole item.
    while (!body.empty() && (body.front() == '*' || body.front() == '_'))
        body.erase(body.begin());
    body = stripLabel(body);

    // --- original: an opening quote, up to a closing quote followed by ';'
    size_t pos = 0;
    const size_t q0 = quoteAt(body, 0);
    if (q0 == 0) {
        // Unquoted fields are accepted only when exactly two ';' split them.
        std::string t = trim(body);
        while (!t.empty() && (t.back() == '*' || t.back() == '_'))
            t.pop_back();
        if (!t.empty() && t.back() == '/')
            t.pop_back();
        const size_t a = t.find(';');
        const size_t b = a == std::string::npos ? a : t.find(';', a + 1);
        if (a == std::string::npos || b == std::string::npos || t.find(';', b + 1) != std::string::npos) {
            item.error = "item " + std::to_string(item.rank) + ": expected \"original\";critique;\"better\"";
            return;
        }
        item.original = trim(t.substr(0, a));
        item.critique = stripLabel(t.substr(a + 1, b - a - 1));
        item.proposed = stripLabel(t.substr(b + 1));
    } else {
        size_t close = std::string::npos;
        for (size_t i = q0; i < body.size(); ++i) {
            const size_t q = quoteAt(body, i);
            if (q == 0)
                continue;
            size_t k = i + q;
            while (k < body.size() && (body[k] == ' ' || body[k] == '*' || body[k] == '_'))
                ++k;
            if (k < body.size() && body[k] == ';') {
                close = i;
                pos = k + 1;
                break;
            }
            i += q - 1;
        }
        if (close == std::string::npos) {
            item.error = "item " + std::to_string(item.rank) + ": the quoted original utterance is not followed by ';'";
            return;
        }
        item.original = trim(body.substr(q0, close - q0));

        // --- proposed: the last ';' followed by an (optionally labelled) opening quote
        const std::string rest = body.substr(pos);
        size_t semi = std::string::npos, open = std::string::npos, openLen = 0;
        for (size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] != ';')
                continue;
            if (const size_t at = openingQuoteAfter(rest, i + 1); at != std::string::npos) {
                semi = i;
                open = at;
                openLen = quoteAt(rest, at);
            }
        }
        if (semi == std::string::npos) {
            // "original";critique;better (unquoted better) with exactly one more ';'
            const size_t a = rest.find(';');
            if (a == std::string::npos || rest.find(';', a + 1) != std::string::npos) {
                item.error = "item " + std::to_string(item.rank) + ": cannot separate the critique from the better utterance";
                return;
            }
            item.critique = stripLabel(rest.substr(0, a));
            std::string p = trim(rest.substr(a + 1));
            while (!p.empty() && (p.back() == '*' || p.back() == '_'))
                p.pop_back();
            if (!p.empty() && p.back() == '/')
                p.pop_back();
            item.proposed = stripLabel(p);
        } else {
            item.critique = stripLabel(rest.substr(0, semi));
            const std::string p = rest.substr(open + openLen);
            // End: a closing quote followed by '/', else the last closing quote followed only by
            // whitespace, '/', '.', or emphasis.
            size_t end = std::string::npos;
            for (size_t i = 0; i < p.size(); ++i) {
                const size_t q = quoteAt(p, i);
                if (q == 0)
                    continue;
                size_t k = i + q;
                while (k < p.size() && (p[k] == ' ' || p[k] == '*' || p[k] == '_'))
                    ++k;
                if (k < p.size() && p[k] == '/') {
                    end = i;
                    break;
                }
                bool onlyTail = true;
                for (size_t j = i + q; j < p.size() && onlyTail; ++j)
                    onlyTail = p[j] == ' ' || p[j] == '\t' || p[j] == '*' || p[j] == '_' || p[j] == '/' || p[j] == '.'
                               || p[j] == '\n' || p[j] == '\r';
                if (onlyTail) {
                    end = i;
                    break;
                }
                i += q - 1;
            }
            if (end == std::string::npos) {
                item.error = "item " + std::to_string(item.rank) + ": the better utterance has no closing quote";
                return;
            }
            item.proposed = trim(p.substr(0, end));
        }
    }
    // Emphasis around a whole field ("**crit**") is markup, not text.
    auto unwrap = [](std::string& f) {
        size_t a = 0, b = f.size();
        while (a < b && (f[a] == '*' || f[a] == '_'))
            ++a;
        while (b > a && (f[b - 1] == '*' || f[b - 1] == '_'))
            --b;
        f = trim(f.substr(a, b - a));
    };
    unwrap(item.critique);
    if (item.original.empty())
        item.error = "item " + std::to_string(item.rank) + ": empty original utterance";
    else if (item.proposed.empty())
        item.error = "item " + std::to_string(item.rank) + ": empty better utterance";
}

} // namespace

int ControllerParse::usable() const
{
    int n = 0;
    for (const auto& it : items)
        n += it.error.empty();
    return n;
}

ControllerParse parseControllerReply(std::string_view replyText)
{
    ControllerParse out;
    const std::string text = reply::stripReasoning(replyText);
    struct Raw {
        std::string body;
    };
    std::vector<Raw> raws;
    bool open = false; // the last item may take continuation lines
    for (const std::string& line : reply::lines(text)) {
        int number = 0;
        const size_t at = numberPrefix(line, number);
        if (at != std::string::npos) {
            const std::string body = line.substr(at);
            // A numbered line with neither ';' nor a quote is prose ("1) Here is my list"), not an item.
            bool hasQuote = false;
            for (size_t i = 0; i < body.size() && !hasQuote; ++i)
                hasQuote = quoteAt(body, i) != 0;
            if (body.find(';') == std::string::npos && !hasQuote) {
                open = false;
                continue;
            }
            raws.push_back({body});
            open = !looksComplete(body);
            continue;
        }
        if (trim(line).empty()) {
            if (!raws.empty() && open && looksComplete(raws.back().body))
                open = false;
            continue;
        }
        if (open && !raws.empty()) {
            raws.back().body += " " + trim(line);
            open = !looksComplete(raws.back().body);
        }
    }
    if (raws.empty()) {
        out.error = "no numbered suggestions found in the reply";
        return out;
    }
    int rank = 0;
    for (const auto& raw : raws) {
        ControllerItem item;
        item.rank = ++rank;
        parseFields(raw.body, item);
        if (!item.error.empty()) {
            item.original.clear();
            item.critique.clear();
            item.proposed.clear();
        }
        out.items.push_back(std::move(item));
    }
    return out;
}

} // namespace hw
