#pragma once
// Word-level diff of two short texts (an agent utterance and its proposed replacement), for the
// inline diff on the suggestions page: deleted words struck out, inserted words highlighted.
//
//   for (const DiffSegment& s : wordDiff("I hear you.", "I really hear you!"))
//       show(s.kind, s.text);   // Equal "I", Inserted " really", Equal " hear you", Deleted ".", ...
//
// Texts are split into words (letters, digits, apostrophes inside a word, and any non-ASCII
// UTF-8 sequence), single punctuation marks, and the whitespace before each of them. Tokens are
// compared without their whitespace, so re-spacing alone is no change. The edit script is the
// shortest one (Myers' O((N+M)D) algorithm) after trimming the common prefix and suffix; texts
// with a very long edit script fall back to "delete everything, insert everything". By default
// short equalities between changes are then folded into them (see DiffOptions).
#include <string>
#include <vector>

namespace hw {

struct DiffSegment {
    enum class Kind { Equal, Deleted, Inserted };
    Kind kind = Kind::Equal;
    // The segment's text including the whitespace before each token: concatenating the Equal
    // and Inserted segments gives back `after` exactly; Equal and Deleted give `before` up to
    // spacing (Equal segments carry `after`'s whitespace).
    std::string text;

    bool operator==(const DiffSegment& o) const { return kind == o.kind && text == o.text; }
};

struct DiffToken {
    std::string space;  // whitespace before the token
    std::string word;   // the token itself (never empty, except a trailing-whitespace token)
};

// Splits text into tokens as described above. Whitespace at the end becomes a last token with an
// empty word, so the tokens always concatenate back to the text.
std::vector<DiffToken> diffTokens(const std::string& text);

struct DiffOptions {
    // Drop short equalities caught between two changes (a lone "the" or "." inside a rewritten
    // sentence) so a rewrite reads as one replacement, as diff-match-patch's semantic cleanup
    // does; the script is then no longer the shortest one. Off: the shortest edit script.
    bool semanticCleanup = true;
};

// Adjacent segments of the same kind are merged; a Deleted run comes before the Inserted run
// that replaces it.
std::vector<DiffSegment> wordDiff(const std::string& before, const std::string& after, DiffOptions options = {});

// Share of `after`'s words that are new (0 = unchanged, 1 = nothing kept), for sorting and badges.
double changedShare(const std::vector<DiffSegment>& diff);

} // namespace hw
