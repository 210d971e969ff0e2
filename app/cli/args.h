#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hw::cli {

// Minimal GNU-style option parsing: --name VALUE, --name=VALUE, --flag, positionals.
// Options not declared are an error (hw::Error naming the option).
class Args {
public:
    // valueOptions take a value; flags do not. Repeated value options accumulate.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& valueOptions,
         const std::set<std::string>& flags);

    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    std::optional<std::string> value(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> values(const std::string& name) const;
    long long intValue(const std::string& name, long long fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return m_positional; }
    // Throws hw::Error "missing argument: NAME" when fewer positionals than needed.
    const std::string& positional(size_t i, const std::string& name) const;

private:
    std::map<std::string, std::vector<std::string>> m_values;
    std::set<std::string> m_flags;
    std::vector<std::string> m_positional;
};

} // namespace hw::cli
