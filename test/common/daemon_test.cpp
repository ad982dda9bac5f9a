// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

#include "child_process.h"
#include "result_printer.h"
#include "unique_fd.h"

using namespace triplay;
using triplay::test::report;
using triplay::test::run_in_child;

TEST_CASE("detach: the parent exits 0 and the daemon runs in a new session on /dev/null",
          "[daemon]") {
    pid_t test_sid = getsid(0);
    auto child = run_in_child([&](int fd) {
        pid_t first = getpid();
        auto r = daemon::detach();
        // Only the daemon (the grandchild) gets here; the first child has _exited.
        if (!r) {
            report(fd, "detach failed: " + r.error().to_string());
            _exit(1);
        }
        std::string problems;
        if (getpid() == first) problems += "still the first process; ";
        if (getsid(0) == test_sid) problems += "same session; ";
        if (getsid(0) == getpid()) problems += "session leader (could get a tty); ";
        char cwd[64] = {};
        if (!getcwd(cwd, sizeof cwd) || std::strcmp(cwd, "/") != 0) problems += "cwd not /; ";
        struct stat null_st {};
        stat("/dev/null", &null_st);
        for (int i = 0; i <= 2; ++i) {
            struct stat st {};
            if (fstat(i, &st) != 0 || st.st_rdev != null_st.st_rdev)
                problems += "fd " + std::to_string(i) + " not /dev/null; ";
        }
        report(fd, problems.empty() ? "ok" : problems);
        _exit(0);
    });
    CHECK(child.exit_status == 0);
    CHECK(child.report == "ok");
}

TEST_CASE("notify_* send the sd_notify fields to NOTIFY_SOCKET", "[daemon]") {
    char dir[] = "/tmp/triplay-notify-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/notify";
    UniqueFd sock(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    REQUIRE(sock);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    REQUIRE(bind(sock.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(setenv("NOTIFY_SOCKET", path.c_str(), 1) == 0);

    // A datagram to a local socket is queued before sendmsg returns: no waiting needed.
    auto next = [&]() -> std::string {
        char buf[256];
        ssize_t n = recv(sock.get(), buf, sizeof buf, MSG_DONTWAIT);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("<nothing>");
    };
    daemon::notify_ready();
    std::string ready = next();
    daemon::notify_status("2 routes\ninstalled");
    std::string status = next();
    daemon::notify_reloading();
    std::string reloading = next();
    daemon::notify_stopping();
    std::string stopping = next();
    unsetenv("NOTIFY_SOCKET");
    unlink(path.c_str());
    rmdir(dir);

#ifdef TRIPLAY_HAVE_SYSTEMD
    CHECK(ready == "READY=1");
    CHECK(status == "STATUS=2 routes installed");  // a newline would start a new field
    CHECK(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
    CHECK(stopping == "STOPPING=1");
#else
    CHECK(ready == "<nothing>");  // built without libsystemd: the calls are no-ops
    CHECK(status == "<nothing>");
    CHECK(reloading == "<nothing>");
    CHECK(stopping == "<nothing>");
#endif
}
