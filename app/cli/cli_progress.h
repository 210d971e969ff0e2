#pragma once
#include "core/util/progress.h"

#include <chrono>
#include <string>

namespace hw::cli {

// Progress of a long verb on stderr, and Ctrl+C turned into a stop request.
//   On a terminal: one line rewritten in place (at most ~10 times a second).
//   Otherwise (logs, tests): one line per stage and per 10 % step.
// While an instance lives, SIGINT requests a stop on its token instead of killing the process,
// so the core operation can roll back; a second Ctrl+C kills as usual.
class CliProgress {
public:
    explicit CliProgress(bool enabled = true);
    ~CliProgress();
    CliProgress(const CliProgress&) = delete;
    CliProgress& operator=(const CliProgress&) = delete;

    ProgressFn callback();
    const StopToken& stopToken() const { return m_stop; }
    // Ends the progress line (call before printing results).
    void finish();

private:
    void show(const Progress& p);

    bool m_enabled;
    bool m_tty;
    bool m_lineOpen = false;
    std::string m_stage;
    int m_lastDecile = -1;
    std::chrono::steady_clock::time_point m_lastShown{};
    StopToken m_stop;
};

} // namespace hw::cli
