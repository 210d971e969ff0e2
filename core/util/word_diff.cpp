#include "core/util/word_diff.h"

#include <algorithm>
#include <cstdint>

namespace hw {
namespace {

// Longest edit script searched for; beyond it the texts are shown as replaced wholesale.
constexpr int kMaxEditDistance = 2000;

bool isSpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Length of the UTF-8 sequence starting with c (1 for ASCII and stray continuation bytes).
size_t sequenceLength(unsigned char c)
{
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

// Code point of the sequence at text[i] (len bytes); 0xFFFD when truncated.
uint32_t codePoint(const std::string& text, size_t i, size_t len)
{
    if (i + len > text.size())
        return 0xFFFD;
    const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
    switch (len) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    case 3: return ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    default: return ((b(0) & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    }
}

enum class CharClass { Space, Word, Apostrophe, Punct };

CharClass classify(uint32_t cp)
{
    if (cp < 0x80) {
        const auto c = static_cast<unsigned char>(cp);
        if (isSpace(c))
            return CharClass::Space;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
            return CharClass::Word;
        return c == '\'' ? CharClass::Apostrophe : CharClass::Punct;
    }
    if (cp == 0x2019 || cp == 0x2018)
        return CharClass::Apostrophe;
    if (cp == 0x00A0 || cp == 0x2009 || cp == 0x202F)
        return CharClass::Space;
    // General punctuation (dashes, curly quotes, ellipsis), Latin-1 punctuation, CJK punctuation.
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x00A1 && cp <= 0x00BF && cp != 0x00AA && cp != 0x00B5
                                           && cp != 0x00BA)
        || (cp >= 0x3000 && cp <= 0x303F) || cp == 0x00D7 || cp == 0x00F7)
        return CharClass::Punct;
    return CharClass::Word;
}

struct Char {
    size_t pos;
    size_t len;
    CharClass cls;
};

std::vector<Char> decode(const std::string& text)
{
    std::vector<Char> out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        size_t len = sequenceLength(static_cast<unsigned char>(text[i]));
        if (i + len > text.size())
            len = text.size() - i;
        out.push_back({i, len, classify(codePoint(text, i, len))});
        i += len;
    }
    return out;
}

enum class Op { Equal, Delete, Insert };

// Myers' shortest edit script between a and b; empty result with ok = false past kMaxEditDistance.
// Ops are returned in order; Equal/Delete consume a, Equal/Insert consume b.
std::vector<Op> myers(const std::vector<DiffToken>& a, const std::vector<DiffToken>& b, bool& ok)
{
    const int n = static_cast<int>(a.size());
    const int m = static_cast<int>(b.size());
    const int maxD = std::min(n + m, kMaxEditDistance);
    const int offset = maxD + 1;
    std::vector<int> v(static_cast<size_t>(2 * maxD + 3), 0);
    // trace[d] holds v[-d-1 .. d+1] as it was before round d (what backtracking needs).
    std::vector<std::vector<int>> trace;
    auto at = [&](int k) -> int& { return v[static_cast<size_t>(k + offset)]; };
    int found = -1;
    for (int d = 0; d <= maxD && found < 0; ++d) {
        trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
        for (int k = -d; k <= d; k += 2) {
            int x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
            int y = x - k;
            while (x < n && y < m && a[static_cast<size_t>(x)].word == b[static_cast<size_t>(y)].word) {
                ++x;
                ++y;
            }
            at(k) = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
    }
    ok = found >= 0;
    if (!ok)
        return {};

    std::vector<Op> ops;
    int x = n, y = m;
    for (int d = found; d >= 0; --d) {
        const std::vector<int>& tv = trace[static_cast<size_t>(d)];
        auto prev = [&](int k) { return tv[static_cast<size_t>(k + d + 1)]; };
        const int k = x - y;
        const int prevK = (k == -d || (k != d && prev(k - 1) < prev(k + 1))) ? k + 1 : k - 1;
        const int prevX = prev(prevK);
        const int prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            ops.push_back(Op::Equal);
            --x;
            --y;
        }
        if (d > 0)
            ops.push_back(x == prevX ? Op::Insert : Op::Delete);
        x = prevX;
        y = prevY;
    }
    std::reverse(ops.begin(), ops.end());
    return ops;
}

// An equality no longer than the changes on both sides of it becomes a deletion plus an
// insertion (diff-match-patch's semantic cleanup, counted in tokens). Repeats until stable, since
// folding one equality merges its neighbours into a bigger change.
void foldShortEqualities(std::vector<Op>& ops)
{
    struct Run {
        bool equal;
        size_t begin, end;       // [begin, end) in ops
        size_t deletes, inserts; // for change runs
    };
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<Run> runs;
        for (size_t i = 0; i < ops.size();) {
            Run r{ops[i] == Op::Equal, i, i, 0, 0};
            while (r.end < ops.size() && (ops[r.end] == Op::Equal) == r.equal) {
                if (ops[r.end] == Op::Delete)
                    ++r.deletes;
                else if (ops[r.end] == Op::Insert)
                    ++r.inserts;
                ++r.end;
            }
            runs.push_back(r);
            i = r.end;
        }
        for (size_t k = 1; k + 1 < runs.size(); ++k) {
            const Run& e = runs[k];
            if (!e.equal)
                continue;
            const size_t len = e.end - e.begin;
            const Run& a = runs[k - 1];
            const Run& b = runs[k + 1];
            if (len <= std::max(a.deletes, a.inserts) && len <= std::max(b.deletes, b.inserts)) {
                // Each Equal consumes one token of each side: emit the deletions, then the insertions.
                std::vector<Op> replacement(len, Op::Delete);
                replacement.insert(replacement.end(), len, Op::Insert);
                ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(e.begin), ops.begin() + static_cast<std::ptrdiff_t>(e.end));
                ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(e.begin), replacement.begin(), replacement.end());
                changed = true;
                break; // run boundaries moved: recompute
            }
        }
    }
}

void append(std::vector<DiffSegment>& out, DiffSegment::Kind kind, const std::string& text)
{
    if (text.empty())
        return;
    if (!out.empty() && out.back().kind == kind)
        out.back().text += text;
    else
        out.push_back({kind, text});
}

} // namespace

std::vector<DiffToken> diffTokens(const std::string& text)
{
    const std::vector<Char> chars = decode(text);
    std::vector<DiffToken> tokens;
    DiffToken current;
    bool wordOpen = false; // current.word is a word that the next letter continues
    auto flush = [&] {
        if (!current.word.empty()) {
            tokens.push_back(std::move(current));
            current = DiffToken();
        }
        wordOpen = false;
    };
    for (size_t i = 0; i < chars.size(); ++i) {
        const Char& c = chars[i];
        const std::string piece = text.substr(c.pos, c.len);
        switch (c.cls) {
        case CharClass::Space:
            flush();
            current.space += piece;
            break;
        case CharClass::Word:
            if (!wordOpen)
                flush();
            current.word += piece;
            wordOpen = true;
            break;
        case CharClass::Apostrophe:
            // Inside a word when letters follow (don't, l'eau); otherwise a quote mark.
            if (wordOpen && i + 1 < chars.size() && chars[i + 1].cls == CharClass::Word) {
                current.word += piece;
                break;
            }
            [[fallthrough]];
        case CharClass::Punct:
            flush();
            current.word = piece;
            flush();
            break;
        }
    }
    if (!current.word.empty() || !current.space.empty())
        tokens.push_back(std::move(current));
    return tokens;
}

std::vector<DiffSegment> wordDiff(const std::string& before, const std::string& after, DiffOptions options)
{
    std::vector<DiffToken> a = diffTokens(before);
    std::vector<DiffToken> b = diffTokens(after);
    // A trailing-whitespace token never counts as a change.
    auto dropTrailing = [](std::vector<DiffToken>& t, std::string& tail) {
        if (!t.empty() && t.back().word.empty()) {
            tail = t.back().space;
            t.pop_back();
        }
    };
    std::string tailA, tailB;
    dropTrailing(a, tailA);
    dropTrailing(b, tailB);

    // Common prefix and suffix first: cheap, and keeps Myers' search small.
    size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre].word == b[pre].word)
        ++pre;
    size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre
           && a[a.size() - 1 - suf].word == b[b.size() - 1 - suf].word)
        ++suf;
    const std::vector<DiffToken> midA(a.begin() + static_cast<std::ptrdiff_t>(pre), a.end() - static_cast<std::ptrdiff_t>(suf));
    const std::vector<DiffToken> midB(b.begin() + static_cast<std::ptrdiff_t>(pre), b.end() - static_cast<std::ptrdiff_t>(suf));

    bool ok = true;
    std::vector<Op> ops = myers(midA, midB, ok);
    if (!ok) {
        ops.assign(midA.size(), Op::Delete);
        ops.insert(ops.end(), midB.size(), Op::Insert);
    }
    if (options.semanticCleanup)
        foldShortEqualities(ops);
    // Within each run of changes, show every deletion before the insertions that replace them.
    for (size_t i = 0; i < ops.size();) {
        if (ops[i] == Op::Equal) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < ops.size() && ops[j] != Op::Equal)
            ++j;
        std::stable_partition(ops.begin() + static_cast<std::ptrdiff_t>(i), ops.begin() + static_cast<std::ptrdiff_t>(j),
                              [](Op o) { return o == Op::Delete; });
        i = j;
    }

    std::vector<DiffSegment> out;
    using K = DiffSegment::Kind;
    for (size_t i = 0; i < pre; ++i)
        append(out, K::Equal, b[i].space + b[i].word);
    size_t ia = 0, ib = 0;
    for (Op op : ops) {
        switch (op) {
        case Op::Equal:
            append(out, K::Equal, midB[ib].space + midB[ib].word);
            ++ia;
            ++ib;
            break;
        case Op::Delete:
            append(out, K::Deleted, midA[ia].space + midA[ia].word);
            ++ia;
            break;
        case Op::Insert:
            append(out, K::Inserted, midB[ib].space + midB[ib].word);
            ++ib;
            break;
        }
    }
    for (size_t i = b.size() - suf; i < b.size(); ++i)
        append(out, K::Equal, b[i].space + b[i].word);
    append(out, K::Equal, tailB);
    return out;
}

double changedShare(const std::vector<DiffSegment>& diff)
{
    size_t inserted = 0, total = 0;
    for (const DiffSegment& s : diff) {
        if (s.kind == DiffSegment::Kind::Deleted)
            continue;
        size_t words = 0;
        for (const DiffToken& t : diffTokens(s.text))
            if (!t.word.empty())
                ++words;
        total += words;
        if (s.kind == DiffSegment::Kind::Inserted)
            inserted += words;
    }
    if (total == 0) {
        for (const DiffSegment& s : diff)
            if (s.kind == DiffSegment::Kind::Deleted)
                return 1.0;
        return 0.0;
    }
    return static_cast<double>(inserted) / static_cast<double>(total);
}

} // namespace hw
