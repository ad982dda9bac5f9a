// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.h"

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "unique_fd.h"

#ifdef TRIPLAY_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#include <time.h>
#endif

namespace triplay::daemon {

namespace {

// In a child that cannot return an error to anyone: say why on the still-attached stderr and
// leave with EX_OSERR, which the waiting parent passes on.
[[noreturn]] void child_fail(const char* what) {
    std::string line = fmt::format("detach: {}: {}\n", what, std::strerror(errno));
    ssize_t r = ::write(STDERR_FILENO, line.data(), line.size());
    (void)r;
    _exit(EX_OSERR);
}

}  // namespace

Result<> detach() {
    // Anything buffered would otherwise be written once per process after the forks.
    std::fflush(nullptr);

    // The grandchild writes one byte when it is fully set up; the original parent waits for it,
    // so "the parent exited 0" means the daemon is really running (daemon(7), steps 1-15).
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return os_fail(errno, "detach: pipe2");
    UniqueFd ready_r(p[0]), ready_w(p[1]);

    pid_t pid = ::fork();
    if (pid < 0) return os_fail(errno, "detach: fork");
    if (pid > 0) {
        ready_w.reset();
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        char byte = 0;
        ssize_t n;
        do {
            n = ::read(ready_r.get(), &byte, 1);
        } while (n < 0 && errno == EINTR);
        // _exit: the atexit handlers and stdio buffers belong to the daemon now.
        _exit(n == 1 ? 0 : EX_OSERR);
    }

    ready_r.reset();
    // A new session without a controlling terminal.
    if (::setsid() < 0) child_fail("setsid");
    pid = ::fork();
    if (pid < 0) child_fail("fork");
    // The session leader exits so the daemon can never reacquire a controlling terminal.
    if (pid > 0) _exit(0);

    if (::chdir("/") < 0) child_fail("chdir /");
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) child_fail("open /dev/null");
    for (int fd = 0; fd <= 2; ++fd)
        if (::dup2(null_fd, fd) < 0) child_fail("dup2 /dev/null");
    if (null_fd > 2) ::close(null_fd);

    char byte = 1;
    ssize_t n;
    do {
        n = ::write(ready_w.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    return {};
}

#ifdef TRIPLAY_HAVE_SYSTEMD

void notify_ready() {
    sd_notify(0, "READY=1");
}

void notify_reloading() {
    // Type=notify-reload (systemd 253) wants the monotonic time beside RELOADING=1; older
    // managers ignore the extra field.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t usec =
        static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void notify_stopping() {
    sd_notify(0, "STOPPING=1");
}

void notify_status(std::string_view status) {
    // One line per field in the notify protocol: a newline would start a new assignment.
    std::string line(status);
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    sd_notify(0, ("STATUS=" + line).c_str());
}

#else

void notify_ready() {}
void notify_reloading() {}
void notify_stopping() {}
void notify_status(std::string_view) {}

#endif

}  // namespace triplay::daemon
