// SPDX-License-Identifier: GPL-2.0-or-later
// Logging: stderr in the foreground, syslog when detached. Messages that remote input can
// trigger go through a RateLimiter so a flood cannot fill the disk or drown the useful lines.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <utility>

namespace triplay::log {

enum class Level { Error = 0, Warning, Notice, Info, Debug };
enum class Sink { Stderr, Syslog };

// verbosity: 0 = notice and above, 1 = info, 2+ = debug.
void init(const char* ident, Sink sink, int verbosity);
void set_verbosity(int verbosity);
bool enabled(Level level);
void write(Level level, const std::string& message);

template <typename... Args>
void at(Level level, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(level)) write(level, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) { at(Level::Error, f, std::forward<Args>(args)...); }
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) { at(Level::Warning, f, std::forward<Args>(args)...); }
template <typename... Args>
void notice(fmt::format_string<Args...> f, Args&&... args) { at(Level::Notice, f, std::forward<Args>(args)...); }
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) { at(Level::Info, f, std::forward<Args>(args)...); }
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) { at(Level::Debug, f, std::forward<Args>(args)...); }

// Token bucket: `burst` messages at once, then one per `interval`. When messages were held
// back, the next allowed one reports how many (suppressed()).
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(unsigned burst, Clock::duration interval) : m_burst(burst), m_interval(interval) {}

    // True when a message may be logged now. Counts the ones refused.
    bool allow(Clock::time_point now);
    // Messages refused since the last allowed one; reset by the caller after reporting.
    unsigned take_suppressed() { return std::exchange(m_suppressed, 0); }

private:
    unsigned m_burst;
    Clock::duration m_interval;
    double m_tokens = -1;  // < 0: not started, bucket full
    Clock::time_point m_last{};
    unsigned m_suppressed = 0;
};

// Logs through `limiter`; appends "(N similar messages suppressed)" when some were held back.
template <typename... Args>
void limited(RateLimiter& limiter, Level level, fmt::format_string<Args...> f, Args&&... args) {
    if (!enabled(level) || !limiter.allow(RateLimiter::Clock::now())) return;
    std::string msg = fmt::format(f, std::forward<Args>(args)...);
    if (unsigned n = limiter.take_suppressed())
        msg += fmt::format(" ({} similar messages suppressed)", n);
    write(level, msg);
}

// Printable form of untrusted bytes (names from the wire): non-printables as \xNN.
std::string escape(std::string_view raw);

}  // namespace triplay::log
