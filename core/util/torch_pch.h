#pragma once
// Precompiled for the core files that use libtorch (see core/CMakeLists.txt).
#include <torch/torch.h>
