// SPDX-License-Identifier: GPL-2.0-or-later
// Dropping privileges changes the whole process for good, so each drop runs in a forked child
// that reports what the kernel says it holds afterwards.
#include "privilege.h"

#include <sys/stat.h>
#include <cap-ng.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "child_process.h"
#include "result_printer.h"

using namespace triplay;
using triplay::test::report;
using triplay::test::run_in_child;

namespace {

// What is wrong with the process's privileges, "" if nothing. keep = the capability kept.
std::string check_caps(unsigned keep, bool bounding_cleared) {
    std::string problems;
    if (capng_get_caps_process() != 0) return "cannot read capabilities";
    if (!capng_have_capability(CAPNG_EFFECTIVE, keep)) problems += "kept cap not effective; ";
    for (unsigned cap : {CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW, CAP_SETUID, CAP_DAC_OVERRIDE}) {
        if (cap == keep) continue;
        if (capng_have_capability(CAPNG_EFFECTIVE, cap) ||
            capng_have_capability(CAPNG_PERMITTED, cap))
            problems += "still holds " + std::to_string(cap) + "; ";
        if (bounding_cleared && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            problems += "bounding set still has " + std::to_string(cap) + "; ";
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) problems += "no_new_privs not set; ";
    return problems;
}

}  // namespace

TEST_CASE("drop_privileges to nobody keeps only CAP_NET_ADMIN", "[privilege]") {
    if (geteuid() != 0) {
        WARN("not root: cannot test switching users");
        return;
    }
    passwd* nobody = getpwnam("nobody");
    REQUIRE(nobody);
    uid_t want_uid = nobody->pw_uid;
    gid_t want_gid = nobody->pw_gid;
    auto child = run_in_child([&](int fd) {
        auto r = drop_privileges("nobody", {Cap::NetAdmin});
        if (!r) {
            report(fd, "drop failed: " + r.error().to_string());
            return;
        }
        std::string problems = check_caps(CAP_NET_ADMIN, true);
        uid_t ruid, euid, suid;
        getresuid(&ruid, &euid, &suid);
        if (ruid != want_uid || euid != want_uid || suid != want_uid)
            problems += "uid not nobody; ";
        if (getgid() != want_gid || getegid() != want_gid) problems += "gid not nobody's; ";
        if (getgroups(0, nullptr) != 0) problems += "supplementary groups kept; ";
        if (setuid(0) == 0) problems += "could become root again; ";
        report(fd, problems.empty() ? "ok" : problems);
    });
    CHECK(child.exit_status == 0);
    CHECK(child.report == "ok");
}

TEST_CASE("drop_privileges without a user stays root but trims capabilities", "[privilege]") {
    if (geteuid() != 0) {
        WARN("not root: cannot test trimming root's capabilities");
        return;
    }
    auto child = run_in_child([&](int fd) {
        auto r = drop_privileges("", {Cap::NetRaw});
        if (!r) {
            report(fd, "drop failed: " + r.error().to_string());
            return;
        }
        std::string problems = check_caps(CAP_NET_RAW, true);
        if (getuid() != 0) problems += "uid changed; ";
        report(fd, problems.empty() ? "ok" : problems);
    });
    CHECK(child.exit_status == 0);
    CHECK(child.report == "ok");
}

TEST_CASE("drop_privileges keeps several capabilities when asked", "[privilege]") {
    if (geteuid() != 0) {
        WARN("not root: cannot test switching users");
        return;
    }
    auto child = run_in_child([&](int fd) {
        auto r = drop_privileges("nobody", {Cap::NetAdmin, Cap::NetRaw, Cap::NetBindService});
        if (!r) {
            report(fd, "drop failed: " + r.error().to_string());
            return;
        }
        capng_get_caps_process();
        std::string problems;
        for (unsigned cap : {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE})
            if (!capng_have_capability(CAPNG_EFFECTIVE, cap))
                problems += "lost " + std::to_string(cap) + "; ";
        if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN))
            problems += "kept CAP_SYS_ADMIN; ";
        report(fd, problems.empty() ? "ok" : problems);
    });
    CHECK(child.exit_status == 0);
    CHECK(child.report == "ok");
}

TEST_CASE("drop_privileges to an unknown user fails with advice and changes nothing",
          "[privilege]") {
    // The user is looked up before anything is changed, so this can run in the test process.
    auto r = drop_privileges("triplay-no-such-user", {Cap::NetAdmin});
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "user 'triplay-no-such-user' does not exist: create it (useradd --system "
          "--no-create-home triplay-no-such-user) or set user = in the config");
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
}

TEST_CASE("drop_privileges when not root trims, and fails for a capability it lacks",
          "[privilege]") {
    if (geteuid() != 0) {
        WARN("not root: cannot become an unprivileged user to test this");
        return;
    }
    passwd* nobody = getpwnam("nobody");
    REQUIRE(nobody);
    uid_t uid = nobody->pw_uid;
    gid_t gid = nobody->pw_gid;
    auto child = run_in_child([&](int fd) {
        // Become an ordinary user without any capability, as under systemd User= without
        // AmbientCapabilities=.
        if (setgroups(0, nullptr) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0) {
            report(fd, "setup failed");
            return;
        }
        auto lacking = drop_privileges("", {Cap::NetAdmin});
        if (lacking) {
            report(fd, "trimming to a capability it lacks succeeded; ");
            return;
        }
        auto none = drop_privileges("", {});
        if (!none) {
            report(fd, "trimming to nothing failed: " + none.error().to_string());
            return;
        }
        report(fd, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? "ok" : "no_new_privs not set");
    });
    CHECK(child.exit_status == 0);
    CHECK(child.report == "ok");
}

TEST_CASE("prepare_directory_for creates a missing state directory for the daemon's user",
          "[privilege]") {
    char base[] = "/tmp/triplay-state-XXXXXX";
    REQUIRE(mkdtemp(base));
    std::string dir = std::string(base) + "/run";
    REQUIRE(prepare_directory_for(dir + "/d.json", "nobody"));
    struct stat st {};
    REQUIRE(stat(dir.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 0777) == 0755);
    if (geteuid() == 0) {
        passwd* nobody = getpwnam("nobody");
        REQUIRE(nobody);
        CHECK(st.st_uid == nobody->pw_uid);
    }
    // Existing directory: left alone. Empty path: nothing to do.
    CHECK(prepare_directory_for(dir + "/d.json", "nobody"));
    CHECK(prepare_directory_for("", "nobody"));
    rmdir(dir.c_str());
    rmdir(base);
}
