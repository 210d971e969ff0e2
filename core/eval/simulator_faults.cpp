#include "core/eval/simulator_faults.h"

#include "core/pipeline/reply_text.h"

#include <algorithm>
#include <cctype>

namespace hw {
namespace {

std::string normalised(const std::string& s)
{
    std::string out;
    for (char c : reply::lower(s))
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += c;
    return out;
}

bool startsWithRole(const std::string& text, const std::string& role)
{
    if (role.empty())
        return false;
    const std::string low = reply::lower(reply::trim(text));
    const std::string r = reply::lower(role);
    return low.rfind(r + ":", 0) == 0 || low.find("\n" + r + ":") != std::string::npos;
}

// Phrases with which chat models step out of a role-play.
const char* const kOutOfPersona[] = {"as an ai", "language model", "i am an assistant", "i'm an assistant",
                                     "as a simulated", "i cannot role-play", "i can't role-play",
                                     "as a chatbot"};

} // namespace

std::vector<std::string> userTurnFaults(const Task& task, const std::vector<Turn>& before, const std::string& text,
                                        bool wantsToEnd)
{
    std::vector<std::string> out;
    const std::string trimmed = reply::trim(text);
    const bool agentSpoke = std::any_of(before.begin(), before.end(), [](const Turn& t) { return t.role == Role::Agent; });
    if (trimmed.empty() && !wantsToEnd)
        out.push_back(fault::kEmpty);
    if (!trimmed.empty()) {
        const std::string n = normalised(trimmed);
        bool repeated = false, echoesAgent = false;
        for (const auto& t : before) {
            if (normalised(t.text) != n)
                continue;
            (t.role == Role::User ? repeated : echoesAgent) = true;
        }
        if (repeated)
            out.push_back(fault::kRepeated);
        if (echoesAgent || startsWithRole(trimmed, task.agentRole))
            out.push_back(fault::kSpeaksAsAgent);
        const std::string low = reply::lower(trimmed);
        if (std::any_of(std::begin(kOutOfPersona), std::end(kOutOfPersona),
                        [&](const char* p) { return low.find(p) != std::string::npos; }))
            out.push_back(fault::kLeavesPersona);
    }
    if (wantsToEnd && !agentSpoke)
        out.push_back(fault::kEndsEarly);
    return out;
}

} // namespace hw
