#include "scripted_simulator.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>

namespace hwtest {
namespace {

int countAgentLinesAbout(const std::string& dialogue, const std::string& word)
{
    std::istringstream in(dialogue);
    std::string line;
    int n = 0;
    while (std::getline(in, line))
        if ((line.rfind("Persuader:", 0) == 0 || line.rfind("Supporter:", 0) == 0) && line.find(word) != std::string::npos)
            ++n;
    return n;
}

int countLines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')) + 1; }

} // namespace

FakeLlmServer::Responder scriptedSimulator(SimulatorScript script)
{
    return [script](const FakeCall& call) {
        const std::string prompt = call.prompt();
        const std::string system = call.messages.empty() ? std::string() : call.messages.front().second;
        const bool counseling = prompt.find("Final Emotional Intensity") != std::string::npos
            || prompt.find("emotional support") != std::string::npos;
        if (prompt.find("Final Donation Amount: X") != std::string::npos
            || prompt.find("Final Emotional Intensity: N") != std::string::npos) {
            if (script == SimulatorScript::Unparsable)
                return FakeReply::text("I would rather not say.");
            const uint64_t seed = call.json.is_object() ? call.json.value("seed", uint64_t(0)) : 0;
            const double jitter = static_cast<double>(std::hash<std::string>{}(system + std::to_string(seed)) % 21) / 100.0;
            const int helpful = script == SimulatorScript::Dependent ? countAgentLinesAbout(prompt, "children") : 0;
            char buf[64];
            if (counseling)
                std::snprintf(buf, sizeof buf, "Final Emotional Intensity: %d", std::max(1, 4 - helpful));
            else
                std::snprintf(buf, sizeof buf, "Final Donation Amount: $%.2f",
                              std::min(2.0, (script == SimulatorScript::Dependent ? 0.2 + 0.15 * helpful : 0.5) + jitter));
            return FakeReply::text(std::string("Thinking it over.\n") + buf);
        }
        if (prompt.find("Score: N") != std::string::npos) // GDP-Zero's value prompt
            return FakeReply::text("Score: " + std::to_string(3 + countAgentLinesAbout(prompt, "children") * 4));
        if (prompt.find("Write your next message as the") != std::string::npos)
            return FakeReply::text("Hmm, tell me more (line " + std::to_string(countLines(prompt)) + ").");
        if (call.model == "good-agent")
            return FakeReply::text("Your gift helps children in need get food and school; would you donate?");
        if (call.model == "bad-agent")
            return FakeReply::text("ok.");
        return FakeLlmServer::pipelineResponder(call);
    };
}

} // namespace hwtest
