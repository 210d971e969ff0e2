#pragma once
// Parsers for the reward labeler's replies. Each looks for its "Label: value" line (any case,
// markdown bold allowed, after prose or <think> blocks). Several such lines that disagree, a
// value out of range or a non-integer where an integer is asked for are failures, not guesses.
// After the number only a unit or scale, a full stop and a parenthesised note may follow; a
// value that could be read as two ("3-4", "2 or 3", "3 to 4", "1,5", "3 out of 10") fails.
#include <optional>
#include <string>
#include <string_view>

namespace hw {

template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;   // set when value is empty
};

// "Final Emotional Intensity: <1-5>" (also "3.", "3/5", "3 out of 5", "3.0", "3 (moderate)").
Parsed<int> parseFinalIntensity(std::string_view reply);
// "Unfinished: yes/no" (also true/false).
Parsed<bool> parseUnfinished(std::string_view reply);
// "Final Donation Amount: <0-2>" with optional "$", "USD", "dollars"; decimals allowed ("1.5",
// not "1,5").
Parsed<double> parseDonationAmount(std::string_view reply);
// "Reward: <number>" for a task defined as data (prompts/custom/reward.txt): a number within
// [min, max], decimals allowed, "/max" or "out of max" allowed after it.
Parsed<double> parseTaskReward(std::string_view reply, double min, double max);

} // namespace hw
