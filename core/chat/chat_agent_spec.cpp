#include "core/chat/chat_agent_spec.h"

#include "core/util/error.h"

#include <cstdio>

namespace hw {
namespace {

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string origin(const ChatAgentSpec& s)
{
    if (s.runId > 0)
        return " · run " + std::to_string(s.runId) + " @" + std::to_string(s.step);
    if (!s.checkpoint.empty()) {
        std::string path = s.checkpoint;
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        const auto cut = path.find_last_of('/');
        return " · " + (cut == std::string::npos ? path : path.substr(cut + 1));
    }
    return {};
}

} // namespace

std::string ChatAgentSpec::displayName() const
{
    if (!name.empty())
        return name;
    if (kind == agent_kind::kIlql)
        return "ILQL β=" + number(beta) + origin(*this);
    if (kind == agent_kind::kPolicy)
        return "π_β" + origin(*this);
    std::string style = prompting == prompting::kProactiveCot ? "ProCoT"
        : prompting == prompting::kCot                       ? "CoT"
                                                             : "plain";
    return (model.empty() ? endpoint : model) + " · " + style;
}

std::string promptFileOf(const std::string& style)
{
    if (style == prompting::kPlain || style == prompting::kCot || style == prompting::kProactiveCot)
        return "chat_" + style;
    throw Error("unknown prompting style '" + style + "' (expected plain, cot or proactive_cot)");
}

} // namespace hw
