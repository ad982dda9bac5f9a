// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

using namespace triplay;
using namespace std::chrono_literals;
using Limiter = log::RateLimiter;

namespace {

// Runs fn with stderr redirected into a pipe and returns what it wrote.
template <typename Fn>
std::string capture_stderr(Fn fn) {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    int saved = dup(STDERR_FILENO);
    REQUIRE(saved >= 0);
    dup2(p[1], STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(p[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(p[0]);
    return out;
}

}  // namespace

TEST_CASE("RateLimiter allows a burst, then one message per interval", "[log]") {
    Limiter rl(3, 10s);
    auto t0 = Limiter::Clock::time_point{} + 1h;
    CHECK(rl.allow(t0));
    CHECK(rl.allow(t0));
    CHECK(rl.allow(t0));
    CHECK_FALSE(rl.allow(t0));
    CHECK_FALSE(rl.allow(t0 + 5s));  // half a token is not enough
    CHECK(rl.take_suppressed() == 2);
    CHECK(rl.take_suppressed() == 0);  // reset by taking
    CHECK(rl.allow(t0 + 10s));         // one token refilled over the interval
    CHECK_FALSE(rl.allow(t0 + 10s));
    CHECK(rl.take_suppressed() == 1);
}

TEST_CASE("RateLimiter refills no more than the burst after a long pause", "[log]") {
    Limiter rl(2, 1s);
    auto t0 = Limiter::Clock::time_point{} + 1h;
    CHECK(rl.allow(t0));
    CHECK(rl.allow(t0));
    CHECK_FALSE(rl.allow(t0));
    auto later = t0 + 1h;
    CHECK(rl.allow(later));
    CHECK(rl.allow(later));
    CHECK_FALSE(rl.allow(later));
    CHECK(rl.take_suppressed() == 2);
}

TEST_CASE("RateLimiter counts every refused message of a flood", "[log]") {
    Limiter rl(5, 1min);
    auto t0 = Limiter::Clock::time_point{} + 1h;
    int allowed = 0;
    for (int i = 0; i < 1000; ++i)
        if (rl.allow(t0 + i * 1ms)) ++allowed;
    CHECK(allowed == 5);
    CHECK(rl.take_suppressed() == 995);
}

TEST_CASE("RateLimiter with a zero burst allows nothing", "[log]") {
    Limiter rl(0, 1s);
    auto t0 = Limiter::Clock::time_point{} + 1h;
    CHECK_FALSE(rl.allow(t0));
    CHECK_FALSE(rl.allow(t0 + 1h));
    CHECK(rl.take_suppressed() == 2);
}

TEST_CASE("escape shows control bytes, backslash and non-ASCII as \\xNN", "[log]") {
    CHECK(log::escape("vlan2") == "vlan2");
    CHECK(log::escape("a b~") == "a b~");
    CHECK(log::escape(std::string_view("a\nb\\c\x7f\xff\0", 8)) == "a\\x0ab\\x5cc\\x7f\\xff\\x00");
    CHECK(log::escape("") == "");
}

TEST_CASE("verbosity selects the levels that are written", "[log]") {
    log::init("t", log::Sink::Stderr, 0);
    CHECK(log::enabled(log::Level::Error));
    CHECK(log::enabled(log::Level::Notice));
    CHECK_FALSE(log::enabled(log::Level::Info));
    log::set_verbosity(1);
    CHECK(log::enabled(log::Level::Info));
    CHECK_FALSE(log::enabled(log::Level::Debug));
    log::set_verbosity(5);
    CHECK(log::enabled(log::Level::Debug));
    log::set_verbosity(0);
}

TEST_CASE("stderr lines carry the program name and a level prefix", "[log]") {
    log::init("triplay-test", log::Sink::Stderr, 0);
    std::string out = capture_stderr([] {
        log::error("open {}: {}", "x", "denied");
        log::warning("w");
        log::notice("n");
        log::info("hidden at verbosity 0");
    });
    CHECK(out ==
          "triplay-test: error: open x: denied\ntriplay-test: warning: w\ntriplay-test: n\n");
}

TEST_CASE("limited() writes the burst and drops the rest of a flood", "[log]") {
    log::init("t", log::Sink::Stderr, 0);
    Limiter rl(2, 1h);
    std::string out = capture_stderr([&] {
        for (int i = 0; i < 5; ++i) log::limited(rl, log::Level::Warning, "bad packet {}", i);
    });
    CHECK(out == "t: warning: bad packet 0\nt: warning: bad packet 1\n");
    CHECK(rl.take_suppressed() == 3);
}
