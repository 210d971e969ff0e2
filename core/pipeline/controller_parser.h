#pragma once
// Parses the hindsight controller's reply:
//
//   1. "<what the agent said>";<what could be better>;"<what it should have said>"/
//   2. ...
//
// Tolerates: any quote style (" ' “ ” ‘ ’ « »), a missing trailing "/", prose before and after
// the list, numbering as 1. 1) (1) 1: #1 **1.**, bullets and bold markdown, items wrapped over
// several lines, short field labels ("Original:", "Critique:", "Better:"), <think> blocks.
// Never guesses: an item whose fields cannot be told apart is returned with `error` set, and a
// reply without any numbered item gives an empty list with `error` set.
#include <string>
#include <string_view>
#include <vector>

namespace hw {

struct ControllerItem {
    int rank = 0;               // 1-based position in the reply
    std::string original;       // quoted agent utterance
    std::string critique;
    std::string proposed;       // better utterance
    std::string error;          // non-empty: unusable item (fields not separable, empty field)
};

struct ControllerParse {
    std::vector<ControllerItem> items;
    std::string error;          // non-empty when no item at all could be found
    int usable() const;         // items without error
};

ControllerParse parseControllerReply(std::string_view reply);

} // namespace hw
