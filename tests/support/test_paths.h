#pragma once
// Where tests find their data. Fixtures live in tests/fixtures (in the repo); the real datasets
// live in ../shared/data beside the checkout and may be absent (tests then QSKIP).
#include "core/util/build_paths.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <string>

namespace hwtest {

// Build-tree paths come from one generated source (test_build_paths.cpp in the build folder), not
// from compile definitions, so test objects do not depend on where the checkout is (ccache).
const char* testDataDir();
const char* sharedDir();
const char* cliPathC();

inline std::string fixture(const std::string& relative)
{
    return std::string(testDataDir()) + "/" + relative;
}

inline std::string sourceDir() { return hw::buildSourceDir(); }

// Path of a real dataset file under ../shared/data, or "" when the shared folder is absent.
inline std::string sharedData(const std::string& relative)
{
    const std::string p = std::string(sharedDir()) + "/data/" + relative;
    return std::filesystem::exists(p) ? p : std::string();
}

inline std::string cliPath() { return cliPathC(); }

} // namespace hwtest

// Skips the current test function when a real dataset file is missing.
#define HW_REQUIRE_SHARED(var, relative)                                                   \
    const std::string var = hwtest::sharedData(relative);                                  \
    if (var.empty())                                                                       \
        QSKIP("../shared/data/" relative " is absent: real-data test skipped")
