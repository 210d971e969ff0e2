#pragma once
// Parsers for the reward labeler's replies. Each looks for its "Label: value" line (any case,
// markdown bold allowed, after prose or <think> blocks). Several such lines that disagree, a
// value out of range or a non-integer where an integer is asked for are failures, not guesses.
#include <optional>
#include <string>
#include <string_view>

namespace hw {

template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;   // set when value is empty
};

// "Final Emotional Intensity: <1-5>" (also "3/5", "3 out of 5", "3.0").
Parsed<int> parseFinalIntensity(std::string_view reply);
// "Unfinished: yes/no" (also true/false).
Parsed<bool> parseUnfinished(std::string_view reply);
// "Final Donation Amount: <0-2>" with optional "$", "USD", "dollars"; decimals allowed.
Parsed<double> parseDonationAmount(std::string_view reply);

} // namespace hw
