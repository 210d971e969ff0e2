#pragma once
#include <string>

namespace hw {

// The user's settings folder for Hindsight Workbench: $HW_CONFIG_DIR when set (tests, portable
// installs), else $XDG_CONFIG_HOME/hindsight-workbench, else ~/.config/hindsight-workbench.
// Not created here.
std::string userConfigDir();

} // namespace hw
