#include "app/cli/args.h"

#include "core/util/error.h"

#include <cstdlib>

namespace hw::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valueOptions,
           const std::set<std::string>& flags)
{
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() > 2 && a.rfind("--", 0) == 0) {
            std::string name = a.substr(2);
            std::optional<std::string> inlineValue;
            if (const auto eq = name.find('='); eq != std::string::npos) {
                inlineValue = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (valueOptions.count(name)) {
                if (inlineValue) {
                    m_values[name].push_back(*inlineValue);
                } else {
                    if (i + 1 >= argv.size())
                        throw Error("option --" + name + " needs a value");
                    m_values[name].push_back(argv[++i]);
                }
            } else if (flags.count(name)) {
                if (inlineValue)
                    throw Error("option --" + name + " takes no value");
                m_flags.insert(name);
            } else {
                throw Error("unknown option --" + name);
            }
        } else if (a == "-h") {
            m_flags.insert("help");
        } else {
            m_positional.push_back(a);
        }
    }
}

std::optional<std::string> Args::value(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::string Args::value(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

std::vector<std::string> Args::values(const std::string& name) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

long long Args::intValue(const std::string& name, long long fallback) const
{
    const auto v = value(name);
    if (!v)
        return fallback;
    char* end = nullptr;
    const long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0')
        throw Error("option --" + name + ": '" + *v + "' is not an integer");
    return n;
}

double Args::doubleValue(const std::string& name, double fallback) const
{
    const auto v = value(name);
    if (!v)
        return fallback;
    char* end = nullptr;
    const double x = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0')
        throw Error("option --" + name + ": '" + *v + "' is not a number");
    return x;
}

const std::string& Args::positional(size_t i, const std::string& name) const
{
    if (i >= m_positional.size())
        throw Error("missing argument: " + name);
    return m_positional[i];
}

} // namespace hw::cli
