// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>

namespace triplay::log {

namespace {
Sink g_sink = Sink::Stderr;
Level g_max = Level::Notice;
const char* g_ident = "triplay";

int syslog_priority(Level l) {
    switch (l) {
        case Level::Error: return LOG_ERR;
        case Level::Warning: return LOG_WARNING;
        case Level::Notice: return LOG_NOTICE;
        case Level::Info: return LOG_INFO;
        case Level::Debug: return LOG_DEBUG;
    }
    return LOG_INFO;
}

const char* prefix(Level l) {
    switch (l) {
        case Level::Error: return "error: ";
        case Level::Warning: return "warning: ";
        default: return "";
    }
}
}  // namespace

void init(const char* ident, Sink sink, int verbosity) {
    g_ident = ident;
    g_sink = sink;
    set_verbosity(verbosity);
    if (sink == Sink::Syslog) openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void set_verbosity(int verbosity) {
    g_max = verbosity <= 0 ? Level::Notice : verbosity == 1 ? Level::Info : Level::Debug;
}

bool enabled(Level level) { return level <= g_max; }

void write(Level level, const std::string& message) {
    if (g_sink == Sink::Syslog) {
        syslog(syslog_priority(level), "%s", message.c_str());
        return;
    }
    std::string line = fmt::format("{}: {}{}\n", g_ident, prefix(level), message);
    // One write per line so lines from concurrent processes never interleave mid-line.
    ssize_t r = ::write(STDERR_FILENO, line.data(), line.size());
    (void)r;
}

bool RateLimiter::allow(Clock::time_point now) {
    if (m_tokens < 0) {
        m_tokens = m_burst;
        m_last = now;
    } else if (now > m_last && m_interval.count() > 0) {
        double refill = std::chrono::duration<double>(now - m_last) /
                        std::chrono::duration<double>(m_interval);
        m_tokens = std::min<double>(m_burst, m_tokens + refill);
        m_last = now;
    }
    if (m_tokens >= 1) {
        m_tokens -= 1;
        return true;
    }
    ++m_suppressed;
    return false;
}

std::string escape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (unsigned char c : raw) {
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out += static_cast<char>(c);
        else
            out += fmt::format("\\x{:02x}", c);
    }
    return out;
}

}  // namespace triplay::log
