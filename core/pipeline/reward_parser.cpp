#include "core/pipeline/reward_parser.h"

#include "core/pipeline/reply_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace hw {
namespace {

// Values written after "<label>:" (or "<label> -"/"<label> is") on any line, emphasis removed.
std::vector<std::string> valuesAfter(std::string_view reply, const std::string& label)
{
    std::vector<std::string> out;
    const std::string text = reply::stripReasoning(reply);
    for (const auto& rawLine : reply::lines(text)) {
        std::string line;
        for (char c : rawLine)
            if (c != '*' && c != '_' && c != '`')
                line += c;
        const std::string low = reply::lower(line);
        size_t pos = 0;
        while ((pos = low.find(label, pos)) != std::string::npos) {
            size_t k = pos + label.size();
            while (k < line.size() && line[k] == ' ')
                ++k;
            bool sep = false;
            if (k < line.size() && (line[k] == ':' || line[k] == '=' || line[k] == '-')) {
                ++k;
                sep = true;
            } else if (low.compare(k, 3, "is ") == 0) {
                k += 3;
                sep = true;
            }
            if (sep)
                out.push_back(reply::trim(line.substr(k))); // the rest of the line; readValue judges it
            pos += label.size();
        }
    }
    return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

void skipSpaces(const std::string& s, size_t& i)
{
    while (i < s.size() && isSpace(s[i]))
        ++i;
}

// `word` (lowercase) at low[i], not followed by a letter.
bool wordAt(const std::string& low, size_t i, const std::string& word)
{
    return low.compare(i, word.size(), word) == 0
           && (i + word.size() == low.size() || !std::isalpha(static_cast<unsigned char>(low[i + word.size()])));
}

// Reads a number at s[i] ("3", "3.0", "3.", ".5", "-1") and moves i past it. Returns false if
// there is none, or for forms nobody writes here ("0x10", "1e3", "inf").
bool numberAt(const std::string& s, size_t& i, double& x)
{
    const char* begin = s.c_str() + i;
    char* end = nullptr;
    x = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(x))
        return false;
    for (const char* p = begin; p < end; ++p)
        if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' || *p == '+'))
            return false;
    i += static_cast<size_t>(end - begin);
    return true;
}

enum class Unit { Intensity, Dollars, Score };

// One value written after a label, read strictly: the model answers in a fixed format, and
// anything that could mean two values ("3-4", "2 or 3", "1,5", "$0.50-$1.00", "3 out of 10") is
// an error rather than its first number.
struct ValueRead {
    bool present = false;  // the value starts with a number; false: prose ("is likely lower"), skipped
    double x = 0.0;
    std::string error;     // present but malformed or ambiguous
};

// "/5" or "out of 5" at v[i] for an intensity; false when neither form is there. `denominator`
// is -1 when the form has no number after it.
bool scaleAt(const std::string& v, const std::string& low, size_t& i, double& denominator)
{
    size_t j = i;
    if (j < v.size() && v[j] == '/')
        ++j;
    else if (wordAt(low, j, "out of"))
        j += 6;
    else
        return false;
    skipSpaces(v, j);
    if (!numberAt(v, j, denominator))
        denominator = -1;
    i = j;
    return true;
}

// A parenthesised note may explain the value ("(moderate)", "($1.50)"), but a number in it other
// than the value itself (or the 1-5 scale's "/5", "out of 5") is a second answer.
bool noteIsConsistent(const std::string& note, double x, Unit unit, double scaleMax)
{
    const std::string low = reply::lower(note);
    size_t i = 0;
    while (i < note.size()) {
        const bool digitHere = std::isdigit(static_cast<unsigned char>(note[i]))
                               || (note[i] == '.' && i + 1 < note.size() && std::isdigit(static_cast<unsigned char>(note[i + 1])));
        if (!digitHere) {
            if (unit != Unit::Dollars) {
                double d = 0;
                size_t j = i;
                if (scaleAt(note, low, j, d) && d == scaleMax) {
                    i = j;
                    continue;
                }
            }
            ++i;
            continue;
        }
        size_t j = i;
        while (j < note.size() && (std::isdigit(static_cast<unsigned char>(note[j])) || note[j] == '.'))
            ++j;
        const double n = std::strtod(note.substr(i, j - i).c_str(), nullptr);
        if (std::fabs(n - x) > 1e-9)
            return false;
        i = j;
    }
    return true;
}

ValueRead readValue(const std::string& v, Unit unit, double scaleMax = 5)
{
    ValueRead out;
    const std::string what = (unit == Unit::Intensity ? "final emotional intensity '"
                              : unit == Unit::Score   ? "reward '"
                                                      : "donation amount '")
                             + v + "'";
    const std::string low = reply::lower(v);
    size_t i = 0;
    while (i < v.size() && (isSpace(v[i]) || v[i] == '~' || (unit == Unit::Dollars && v[i] == '$')))
        ++i;
    if (!numberAt(v, i, out.x))
        return out;
    out.present = true;
    skipSpaces(v, i);
    if (unit != Unit::Dollars) {
        double denominator = 0;
        if (scaleAt(v, low, i, denominator) && denominator != scaleMax) {
            out.error = what + (unit == Unit::Intensity ? " is not on the 1-5 scale" : " is not on the task's scale");
            return out;
        }
    } else {
        if (i < v.size() && (v[i] == '%' || v[i] == '/')) {
            out.error = what + " is not in dollars";
            return out;
        }
        if (i < v.size() && v[i] == '$')
            ++i;
        else
            for (const char* unitWord : {"usd", "dollars", "dollar"})
                if (wordAt(low, i, unitWord)) {
                    i += std::string(unitWord).size();
                    break;
                }
    }
    skipSpaces(v, i);
    if (i < v.size() && v[i] == '.')
        ++i;
    skipSpaces(v, i);
    if (i < v.size() && v[i] == '(') {
        const size_t close = v.find(')', i);
        if (close == std::string::npos) {
            out.error = what + " has an unclosed note after the number";
            return out;
        }
        if (!noteIsConsistent(v.substr(i + 1, close - i - 1), out.x, unit, scaleMax)) {
            out.error = what + " gives more than one number";
            return out;
        }
        i = close + 1;
        skipSpaces(v, i);
        if (i < v.size() && v[i] == '.')
            ++i;
        skipSpaces(v, i);
    }
    if (i < v.size()) {
        const bool digits = v.find_first_of("0123456789", i) != std::string::npos;
        out.error = what + (digits ? " gives more than one number" : " has unexpected text after the number");
    }
    return out;
}

} // namespace

Parsed<int> parseFinalIntensity(std::string_view reply)
{
    Parsed<int> out;
    const auto values = valuesAfter(reply, "final emotional intensity");
    if (values.empty()) {
        out.error = "no \"Final Emotional Intensity:\" line in the reply";
        return out;
    }
    std::optional<int> found;
    for (const auto& v : values) {
        const ValueRead r = readValue(v, Unit::Intensity);
        if (!r.present)
            continue; // prose like "final emotional intensity is likely lower"
        if (!r.error.empty()) {
            out.error = r.error;
            return out;
        }
        const double x = r.x;
        if (x != std::floor(x)) {
            out.error = "final emotional intensity '" + v + "' is not a whole number";
            return out;
        }
        if (x < 1 || x > 5) {
            out.error = "final emotional intensity '" + v + "' is outside 1-5";
            return out;
        }
        const int n = static_cast<int>(x);
        if (found && *found != n) {
            out.error = "the reply gives two different final emotional intensities ("
                        + std::to_string(*found) + " and " + std::to_string(n) + ")";
            return out;
        }
        found = n;
    }
    if (!found)
        out.error = "\"Final Emotional Intensity:\" is not followed by a number";
    out.value = found;
    return out;
}

Parsed<bool> parseUnfinished(std::string_view reply)
{
    Parsed<bool> out;
    const auto values = valuesAfter(reply, "unfinished");
    std::optional<bool> found;
    for (const auto& v : values) {
        std::string word;
        for (char c : v) {
            if (!std::isalpha(static_cast<unsigned char>(c)))
                break;
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        std::optional<bool> b;
        if (word == "yes" || word == "y" || word == "true")
            b = true;
        else if (word == "no" || word == "n" || word == "false")
            b = false;
        if (!b)
            continue;
        if (found && *found != *b) {
            out.error = "the reply answers both yes and no to \"Unfinished\"";
            return out;
        }
        found = b;
    }
    if (!found)
        out.error = "no \"Unfinished: yes/no\" line in the reply";
    out.value = found;
    return out;
}

Parsed<double> parseDonationAmount(std::string_view reply)
{
    Parsed<double> out;
    const auto values = valuesAfter(reply, "final donation amount");
    if (values.empty()) {
        out.error = "no \"Final Donation Amount:\" line in the reply";
        return out;
    }
    std::optional<double> found;
    for (const auto& v : values) {
        const ValueRead r = readValue(v, Unit::Dollars);
        if (!r.present)
            continue;
        if (!r.error.empty()) {
            out.error = r.error;
            return out;
        }
        const double x = r.x;
        if (x < 0 || x > 2) {
            out.error = "donation amount " + v + " is outside $0-2";
            return out;
        }
        if (found && std::fabs(*found - x) > 1e-9) {
            out.error = "the reply gives two different donation amounts";
            return out;
        }
        found = x;
    }
    if (!found)
        out.error = "\"Final Donation Amount:\" is not followed by an amount";
    out.value = found;
    return out;
}

Parsed<double> parseTaskReward(std::string_view reply, double min, double max)
{
    Parsed<double> out;
    const auto values = valuesAfter(reply, "reward");
    if (values.empty()) {
        out.error = "no \"Reward:\" line in the reply";
        return out;
    }
    std::optional<double> found;
    for (const auto& v : values) {
        const ValueRead r = readValue(v, Unit::Score, max);
        if (!r.present)
            continue;
        if (!r.error.empty()) {
            out.error = r.error;
            return out;
        }
        if (r.x < min || r.x > max) {
            std::ostringstream range;
            range << min << " to " << max;
            out.error = "reward '" + v + "' is outside the task's range (" + range.str() + ")";
            return out;
        }
        if (found && std::fabs(*found - r.x) > 1e-9) {
            out.error = "the reply gives two different rewards";
            return out;
        }
        found = r.x;
    }
    if (!found)
        out.error = "\"Reward:\" is not followed by a number";
    out.value = found;
    return out;
}

} // namespace hw
