#pragma once
// Where tests find their data. Fixtures live in tests/fixtures (in the repo); the real datasets
// live in ../shared/data beside the checkout and may be absent (tests then QSKIP).
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <string>

namespace hwtest {

inline std::string fixture(const std::string& relative)
{
    return std::string(HW_TEST_DATA_DIR) + "/" + relative;
}

inline std::string sourceDir() { return HW_SOURCE_DIR; }

// Path of a real dataset file under ../shared/data, or "" when the shared folder is absent.
inline std::string sharedData(const std::string& relative)
{
    const std::string p = std::string(HW_SHARED_DIR) + "/data/" + relative;
    return std::filesystem::exists(p) ? p : std::string();
}

inline std::string cliPath() { return HW_CLI_PATH; }

} // namespace hwtest

// Skips the current test function when a real dataset file is missing.
#define HW_REQUIRE_SHARED(var, relative)                                                   \
    const std::string var = hwtest::sharedData(relative);                                  \
    if (var.empty())                                                                       \
        QSKIP("../shared/data/" relative " is absent: real-data test skipped")
