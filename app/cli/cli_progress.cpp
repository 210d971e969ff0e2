#include "app/cli/cli_progress.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace hw::cli {
namespace {

// The token of the live CliProgress; a signal handler may only touch lock-free atomics.
StopToken* g_token = nullptr;

extern "C" void onSigint(int)
{
    if (g_token)
        g_token->requestStop();
    std::signal(SIGINT, SIG_DFL); // a second Ctrl+C ends the process
}

} // namespace

CliProgress::CliProgress(bool enabled) : m_enabled(enabled), m_tty(isatty(STDERR_FILENO) == 1)
{
    g_token = &m_stop;
    std::signal(SIGINT, onSigint);
}

CliProgress::~CliProgress()
{
    finish();
    std::signal(SIGINT, SIG_DFL);
    g_token = nullptr;
}

ProgressFn CliProgress::callback()
{
    return [this](const Progress& p) { show(p); };
}

void CliProgress::show(const Progress& p)
{
    if (!m_enabled)
        return;
    const bool newStage = p.stage != m_stage;
    const int decile = p.total > 0 ? static_cast<int>(p.done * 10 / p.total) : -1;
    const auto now = std::chrono::steady_clock::now();
    std::string line = p.stage;
    if (p.total > 0)
        line += " " + std::to_string(p.done) + "/" + std::to_string(p.total) + " ("
                + std::to_string(p.done * 100 / p.total) + "%)";
    else if (p.done > 0)
        line += " " + std::to_string(p.done);
    if (!p.message.empty())
        line += " " + p.message;

    if (m_tty) {
        if (!newStage && p.done != p.total && now - m_lastShown < std::chrono::milliseconds(100))
            return;
        if (newStage && m_lineOpen)
            std::fputc('\n', stderr);
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        m_lineOpen = true;
    } else {
        if (!newStage && decile == m_lastDecile)
            return;
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
    m_stage = p.stage;
    m_lastDecile = decile;
    m_lastShown = now;
}

void CliProgress::finish()
{
    if (m_lineOpen) {
        std::fputc('\n', stderr);
        m_lineOpen = false;
    }
}

} // namespace hw::cli
