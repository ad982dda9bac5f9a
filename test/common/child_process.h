// SPDX-License-Identifier: GPL-2.0-or-later
// Runs a function in a forked child and returns what it reported, for tests whose subject
// changes the whole process (dropping privileges, detaching). The child never returns into
// Catch: it writes its report to a pipe and _exits.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace triplay::test {

struct ChildResult {
    int exit_status = -1;  // WEXITSTATUS, or -1 if the child did not exit normally
    std::string report;    // everything written to the report fd by the child and its children
};

// fn(report_fd) runs in the child; the report pipe is read until every holder has closed it
// (a detached grandchild too) or five seconds pass.
template <typename Fn>
ChildResult run_in_child(Fn fn) {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        fn(p[1]);
        _exit(0);
    }
    close(p[1]);
    ChildResult out;
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) break;
        pollfd pfd{p[0], POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left)) <= 0) break;
        char buf[512];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        out.report.append(buf, static_cast<size_t>(n));
    }
    close(p[0]);
    return out;
}

inline void report(int fd, const std::string& s) {
    ssize_t n = write(fd, s.data(), s.size());
    (void)n;
}

}  // namespace triplay::test
