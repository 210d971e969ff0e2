#include "core/net/http_types.h"

#include <cctype>

namespace hw {

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::string> findHeader(const HttpHeaders& headers, std::string_view name)
{
    for (const auto& [k, v] : headers)
        if (equalsIgnoreCase(k, name))
            return v;
    return std::nullopt;
}

} // namespace hw
