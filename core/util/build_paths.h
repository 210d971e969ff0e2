#pragma once
// Paths of the build that made this binary (source tree, ../shared, the sentencepiece shim).
// They live in one generated translation unit (build_paths.cpp in the build folder) instead of
// compile definitions, so the other objects do not depend on where the checkout is: ccache then
// reuses them across checkouts (base_dir), and a fresh clone builds from the cache.
namespace hw {

// The source checkout this binary was built from ("" in an installed build).
const char* buildSourceDir();
// The ../shared folder beside that checkout (may not exist).
const char* buildSharedDir();
// The sentencepiece shim module in the build tree.
const char* buildSpmShimPath();

} // namespace hw
