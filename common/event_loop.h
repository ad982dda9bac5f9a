// SPDX-License-Identifier: GPL-2.0-or-later
// One thread, one epoll: fd readers, timers from a deadline heap, signals through signalfd.
// Callbacks may add or remove readers and timers, including their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "result.h"
#include "unique_fd.h"

namespace triplay {

class EventLoop {
public:
    using Clock = std::chrono::steady_clock;
    using TimerId = uint64_t;

    // On the heap and never moved: callbacks (the signalfd reader among them) capture `this`.
    static Result<std::unique_ptr<EventLoop>> create();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Calls `on_readable` whenever fd is readable (level-triggered: drain to EAGAIN or be
    // called again). The fd stays owned by the caller.
    Result<> add_reader(int fd, std::function<void()> on_readable);
    void remove_reader(int fd);

    // Calls `fn` once at (or after) `deadline`. Returns an id for cancel_timer().
    TimerId add_timer(Clock::time_point deadline, std::function<void()> fn);
    void cancel_timer(TimerId id);

    // Blocks `signo` for the process and delivers it through the loop.
    Result<> add_signal(int signo, std::function<void()> fn);

    // Runs until stop(). Returns an error only if epoll itself fails.
    Result<> run();
    void stop() { m_running = false; }

    // One round: waits at most `max_wait` for events, dispatches them and due timers.
    Result<> run_once(Clock::duration max_wait);

    size_t pending_timers() const { return m_timers.size(); }

private:
    EventLoop() = default;
    void on_signalfd();
    void fire_due_timers();

    struct HeapEntry {
        Clock::time_point deadline;
        TimerId id;
        bool operator>(const HeapEntry& o) const {
            return deadline != o.deadline ? deadline > o.deadline : id > o.id;
        }
    };

    UniqueFd m_epoll;
    UniqueFd m_signalfd;
    std::unordered_map<int, std::function<void()>> m_readers;
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> m_heap;
    std::unordered_map<TimerId, std::function<void()>> m_timers;  // live timers only
    std::map<int, std::function<void()>> m_signals;
    TimerId m_next_timer = 1;
    bool m_running = false;
};

}  // namespace triplay
