// SPDX-License-Identifier: GPL-2.0-or-later
#include "event_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

#include "result_printer.h"
#include "unique_fd.h"

using namespace triplay;
using namespace std::chrono_literals;
using Clock = EventLoop::Clock;

namespace {

struct Pipe {
    UniqueFd r, w;
    Pipe() {
        int p[2];
        REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
        r.reset(p[0]);
        w.reset(p[1]);
    }
    void put(char c = 'x') { REQUIRE(write(w.get(), &c, 1) == 1); }
    void drain() {
        char buf[64];
        while (read(r.get(), buf, sizeof buf) > 0) {
        }
    }
};

// Runs rounds until done() or a generous deadline; the loop itself waits, we never sleep.
template <typename Done>
void run_until(EventLoop& loop, Done done, Clock::duration limit = 5s) {
    auto deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline) REQUIRE(loop.run_once(100ms));
}

struct Loop {
    Result<std::unique_ptr<EventLoop>> created = EventLoop::create();
    EventLoop& get() {
        REQUIRE(created);
        return **created;
    }
};

}  // namespace

TEST_CASE("timers fire in deadline order, ties in the order they were added", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    std::vector<int> fired;
    auto now = Clock::now();
    loop.add_timer(now + 30ms, [&] { fired.push_back(3); });
    loop.add_timer(now + 10ms, [&] { fired.push_back(1); });
    loop.add_timer(now + 20ms, [&] { fired.push_back(2); });
    loop.add_timer(now + 20ms, [&] { fired.push_back(22); });
    CHECK(loop.pending_timers() == 4);
    run_until(loop, [&] { return fired.size() == 4; });
    CHECK(fired == std::vector<int>{1, 2, 22, 3});
    CHECK(loop.pending_timers() == 0);
}

TEST_CASE("a timer does not fire before its deadline", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    bool fired = false;
    auto deadline = Clock::now() + 50ms;
    Clock::time_point when{};
    loop.add_timer(deadline, [&] {
        fired = true;
        when = Clock::now();
    });
    run_until(loop, [&] { return fired; });
    REQUIRE(fired);
    CHECK(when >= deadline);
}

TEST_CASE("a cancelled timer never fires", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    std::vector<int> fired;
    auto now = Clock::now();
    auto a = loop.add_timer(now + 5ms, [&] { fired.push_back(1); });
    loop.add_timer(now + 10ms, [&] { fired.push_back(2); });
    loop.cancel_timer(a);
    CHECK(loop.pending_timers() == 1);
    run_until(loop, [&] { return !fired.empty(); });
    CHECK(fired == std::vector<int>{2});
    loop.cancel_timer(a);  // cancelling twice, or a fired timer, is harmless
}

TEST_CASE("a timer callback may cancel another due timer and add new ones", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    std::vector<int> fired;
    auto now = Clock::now();
    EventLoop::TimerId second = 0;
    loop.add_timer(now, [&] {
        fired.push_back(1);
        loop.cancel_timer(second);
        loop.add_timer(Clock::now() + 5ms, [&] { fired.push_back(3); });
    });
    second = loop.add_timer(now, [&] { fired.push_back(2); });
    run_until(
        loop, [&] { return fired.size() >= 2; }, 1s);
    CHECK(fired == std::vector<int>{1, 3});
}

TEST_CASE("a reader on a pipe fires when data arrives, and not before", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    Pipe p;
    int calls = 0;
    REQUIRE(loop.add_reader(p.r.get(), [&] {
        ++calls;
        p.drain();
    }));
    REQUIRE(loop.run_once(0ms));
    CHECK(calls == 0);
    p.put();
    run_until(loop, [&] { return calls > 0; });
    CHECK(calls == 1);
    REQUIRE(loop.run_once(0ms));
    CHECK(calls == 1);  // drained: level-triggered, but nothing left to read
}

TEST_CASE("a reader may remove itself", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    Pipe p;
    int calls = 0;
    REQUIRE(loop.add_reader(p.r.get(), [&] {
        ++calls;
        loop.remove_reader(p.r.get());  // destroys this very std::function's stored copy
    }));
    p.put();
    run_until(loop, [&] { return calls > 0; });
    REQUIRE(loop.run_once(10ms));  // still readable (not drained), but no longer watched
    CHECK(calls == 1);
}

TEST_CASE("a reader removed by another callback in the same round is not called", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    Pipe a, b;
    int calls = 0;
    REQUIRE(loop.add_reader(a.r.get(), [&] {
        ++calls;
        loop.remove_reader(b.r.get());
        loop.remove_reader(a.r.get());
    }));
    REQUIRE(loop.add_reader(b.r.get(), [&] {
        ++calls;
        loop.remove_reader(a.r.get());
        loop.remove_reader(b.r.get());
    }));
    a.put();
    b.put();
    run_until(loop, [&] { return calls > 0; });
    REQUIRE(loop.run_once(10ms));
    CHECK(calls == 1);
}

TEST_CASE("add_reader replaces the callback of a watched fd", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    Pipe p;
    int first = 0, second = 0;
    REQUIRE(loop.add_reader(p.r.get(), [&] { ++first; }));
    REQUIRE(loop.add_reader(p.r.get(), [&] {
        ++second;
        p.drain();
    }));
    p.put();
    run_until(loop, [&] { return second > 0; });
    CHECK(first == 0);
    CHECK(second == 1);
}

TEST_CASE("add_reader on a closed fd fails with EBADF", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    int fd;
    {
        Pipe p;
        fd = p.r.get();
    }
    auto r = loop.add_reader(fd, [] {});
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == EBADF);
}

TEST_CASE("a signal raised by the process is delivered through the loop", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    int usr2 = 0;
    REQUIRE(loop.add_signal(SIGUSR2, [&] { ++usr2; }));
    REQUIRE(raise(SIGUSR2) == 0);  // blocked now, so it waits in the signalfd
    CHECK(usr2 == 0);              // never delivered synchronously, as a handler would be
    run_until(loop, [&] { return usr2 > 0; });
    CHECK(usr2 == 1);
}

TEST_CASE("run() returns when a callback calls stop()", "[event_loop]") {
    Loop holder;
    EventLoop& loop = holder.get();
    int ticks = 0;
    std::function<void()> tick = [&] {
        if (++ticks == 3)
            loop.stop();
        else
            loop.add_timer(Clock::now() + 1ms, tick);
    };
    loop.add_timer(Clock::now(), tick);
    REQUIRE(loop.run());
    CHECK(ticks == 3);
}
