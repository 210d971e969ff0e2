#include "core/pipeline/reward_parser.h"

#include "core/pipeline/reply_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
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
            if (sep) {
                std::string v = reply::trim(line.substr(k));
                // up to the end of the sentence/line
                out.push_back(v);
            }
            pos += label.size();
        }
    }
    return out;
}

// Reads a leading number ("3", "3.0", "$1.50", "1,5" is refused). Returns false if none.
bool leadingNumber(const std::string& v, double& x, std::string& after)
{
    size_t i = 0;
    while (i < v.size() && (v[i] == '$' || v[i] == ' ' || v[i] == '~'))
        ++i;
    const char* begin = v.c_str() + i;
    char* end = nullptr;
    x = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(x))
        return false;
    // "0x10", "1e3" and similar are not what anybody writes here
    for (const char* p = begin; p < end; ++p)
        if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' || *p == '+'))
            return false;
    after = reply::trim(std::string(end));
    return true;
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
        double x = 0;
        std::string after;
        if (!leadingNumber(v, x, after))
            continue; // prose like "final emotional intensity is likely lower"
        if (x != std::floor(x)) {
            out.error = "final emotional intensity '" + v + "' is not a whole number";
            return out;
        }
        if (!after.empty() && after[0] == '/') {
            if (reply::trim(after.substr(1)).rfind("5", 0) != 0) {
                out.error = "final emotional intensity '" + v + "' is not on the 1-5 scale";
                return out;
            }
        }
        const int n = static_cast<int>(x);
        if (n < 1 || n > 5) {
            out.error = "final emotional intensity " + std::to_string(n) + " is outside 1-5";
            return out;
        }
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
        double x = 0;
        std::string after;
        if (!leadingNumber(v, x, after))
            continue;
        if (!after.empty() && (after[0] == '%' || after[0] == '/')) {
            out.error = "donation amount '" + v + "' is not in dollars";
            return out;
        }
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

} // namespace hw
