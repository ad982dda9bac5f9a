// SPDX-License-Identifier: GPL-2.0-or-later
#include "event_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <cerrno>

namespace triplay {

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
    std::unique_ptr<EventLoop> loop(new EventLoop());
    loop->m_epoll.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!loop->m_epoll) return os_fail(errno, "epoll_create1");
    return loop;
}

Result<> EventLoop::add_reader(int fd, std::function<void()> on_readable) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    int op = m_readers.count(fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(m_epoll.get(), op, fd, &ev) < 0) return os_fail(errno, "epoll_ctl add fd {}", fd);
    m_readers[fd] = std::move(on_readable);
    return {};
}

void EventLoop::remove_reader(int fd) {
    if (m_readers.erase(fd)) epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::add_timer(Clock::time_point deadline, std::function<void()> fn) {
    TimerId id = m_next_timer++;
    m_timers.emplace(id, std::move(fn));
    m_heap.push({deadline, id});
    return id;
}

void EventLoop::cancel_timer(TimerId id) {
    // The heap entry stays until it surfaces; without a live callback it is skipped.
    m_timers.erase(id);
}

Result<> EventLoop::add_signal(int signo, std::function<void()> fn) {
    m_signals[signo] = std::move(fn);
    sigset_t set;
    sigemptyset(&set);
    for (auto& [s, _] : m_signals) sigaddset(&set, s);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return os_fail(errno, "sigprocmask");
    int fd = signalfd(m_signalfd ? m_signalfd.get() : -1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) return os_fail(errno, "signalfd");
    if (!m_signalfd) {
        m_signalfd.reset(fd);
        return add_reader(fd, [this] { on_signalfd(); });
    }
    return {};
}

void EventLoop::on_signalfd() {
    signalfd_siginfo si;
    while (::read(m_signalfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        auto it = m_signals.find(static_cast<int>(si.ssi_signo));
        if (it != m_signals.end()) it->second();
    }
}

void EventLoop::fire_due_timers() {
    auto now = Clock::now();
    while (!m_heap.empty() && m_heap.top().deadline <= now) {
        TimerId id = m_heap.top().id;
        m_heap.pop();
        auto it = m_timers.find(id);
        if (it == m_timers.end()) continue;  // cancelled
        auto fn = std::move(it->second);
        m_timers.erase(it);
        fn();
    }
    // Drop cancelled entries at the top so the next wait is computed from a live deadline.
    while (!m_heap.empty() && !m_timers.count(m_heap.top().id)) m_heap.pop();
}

Result<> EventLoop::run_once(Clock::duration max_wait) {
    while (!m_heap.empty() && !m_timers.count(m_heap.top().id)) m_heap.pop();
    auto wait = max_wait;
    if (!m_heap.empty()) {
        auto until = m_heap.top().deadline - Clock::now();
        if (until < wait) wait = until;
    }
    if (wait < Clock::duration::zero()) wait = Clock::duration::zero();
    // Round up so a timer is never woken a hair early and spun on.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    epoll_event events[32];
    int n = epoll_wait(m_epoll.get(), events, 32, static_cast<int>(std::min<int64_t>(ms, INT32_MAX)));
    if (n < 0) {
        if (errno == EINTR) return {};
        return os_fail(errno, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        auto it = m_readers.find(events[i].data.fd);
        if (it == m_readers.end()) continue;  // removed by an earlier callback this round
        auto fn = it->second;                 // copy: the callback may remove itself
        fn();
    }
    fire_due_timers();
    return {};
}

Result<> EventLoop::run() {
    m_running = true;
    while (m_running) {
        auto r = run_once(std::chrono::hours(1));
        if (!r) return r;
    }
    return {};
}

}  // namespace triplay
