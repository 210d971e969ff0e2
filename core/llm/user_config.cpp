#include "core/llm/user_config.h"

#include <cstdlib>

namespace hw {

std::string userConfigDir()
{
    if (const char* dir = std::getenv("HW_CONFIG_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        return std::string(xdg) + "/hindsight-workbench";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.config/hindsight-workbench";
    return ".hindsight-workbench";
}

} // namespace hw
