#include "core/data/dialogue.h"

#include "core/util/error.h"

namespace hw {

std::string toString(Role role) { return role == Role::Agent ? "agent" : "user"; }

Role roleFromString(const std::string& s)
{
    if (s == "agent") return Role::Agent;
    if (s == "user") return Role::User;
    throw Error("unknown role '" + s + "' (expected agent or user)");
}

int Dialogue::agentTurnCount() const
{
    int n = 0;
    for (const auto& t : turns)
        n += t.role == Role::Agent;
    return n;
}

} // namespace hw
