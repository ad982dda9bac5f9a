// SPDX-License-Identifier: GPL-2.0-or-later
#include "privilege.h"

#include <cap-ng.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace triplay {

namespace {

unsigned to_capability(Cap c) {
    switch (c) {
        case Cap::NetAdmin:
            return CAP_NET_ADMIN;
        case Cap::NetRaw:
            return CAP_NET_RAW;
        case Cap::NetBindService:
            return CAP_NET_BIND_SERVICE;
    }
    return CAP_NET_ADMIN;  // unreachable: every enumerator is handled above
}

std::string cap_name(unsigned cap) {
    const char* name = capng_capability_to_name(cap);
    return name ? fmt::format("CAP_{}", name) : fmt::format("capability {}", cap);
}

struct UserIds {
    uid_t uid;
    gid_t gid;
};

Result<UserIds> lookup_user(const std::string& user) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    int rc;
    while ((rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE &&
           buf.size() < (1u << 20))
        buf.resize(buf.size() * 2);
    if (rc != 0) return os_fail(rc, "look up user '{}'", user);
    if (!found) {
        return fail(
            "user '{}' does not exist: create it (useradd --system --no-create-home {}) or set "
            "user = in the config",
            user, user);
    }
    return UserIds{pw.pw_uid, pw.pw_gid};
}

}  // namespace

Result<> prepare_directory_for(const std::string& file, const std::string& user) {
    if (file.empty()) return {};
    auto slash = file.rfind('/');
    if (slash == std::string::npos || slash == 0) return {};
    std::string dir = file.substr(0, slash);
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) return {};
    if (errno != ENOENT) return os_fail(errno, "state directory {}", dir);
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
        return os_fail(errno, "create state directory {}", dir);
    if (geteuid() == 0 && !user.empty()) {
        auto ids = lookup_user(user);
        if (!ids) return tl::unexpected(ids.error());
        if (::chown(dir.c_str(), ids->uid, ids->gid) < 0)
            return os_fail(errno, "give state directory {} to {}", dir, user);
    }
    return {};
}

namespace {

// capng_change_id's return codes (libcap-ng 0.8) turned into the step that failed.
const char* change_id_step(int rc) {
    switch (rc) {
        case -1:
            return "capability state not initialised";
        case -2:
            return "prctl(PR_SET_KEEPCAPS)";
        case -3:
            return "applying temporary capabilities";
        case -4:
            return "setresgid";
        case -5:
            return "dropping supplementary groups";
        case -6:
            return "setresuid";
        case -7:
            return "prctl(PR_SET_KEEPCAPS, 0)";
        case -8:
            return "clearing the bounding set";
        case -9:
            return "applying the final capabilities";
        default:
            return "unknown step";
    }
}

// After the drop, believe the kernel rather than the return codes: re-read the process's sets.
Result<> verify(bool switched_user, bool cleared_bounding, const std::vector<unsigned>& keep) {
    if (switched_user && (getuid() == 0 || geteuid() == 0))
        return fail("still running as root after switching user");
    if (capng_get_caps_process() != 0)
        return os_fail(errno, "read back capabilities after dropping privileges");
    for (unsigned cap : keep) {
        if (!capng_have_capability(CAPNG_EFFECTIVE, cap) ||
            !capng_have_capability(CAPNG_PERMITTED, cap))
            return fail("{} was lost while dropping privileges", cap_name(cap));
    }
    for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        bool wanted = std::find(keep.begin(), keep.end(), cap) != keep.end();
        if (!wanted && capng_have_capability(CAPNG_PERMITTED, cap))
            return fail("{} is still permitted after dropping privileges", cap_name(cap));
        if (!wanted && cleared_bounding && capng_have_capability(CAPNG_BOUNDING_SET, cap))
            return fail("{} is still in the bounding set after dropping privileges", cap_name(cap));
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return fail("no_new_privs is not set");
    return {};
}

}  // namespace

Result<> drop_privileges(const std::string& user, std::initializer_list<Cap> keep) {
    std::vector<unsigned> caps;
    for (Cap c : keep) caps.push_back(to_capability(c));

    UserIds ids{};
    if (!user.empty()) {
        auto found = lookup_user(user);
        if (!found) return tl::unexpected(found.error());
        ids = *found;
    }

    // Nothing we exec (we exec nothing) may gain privileges through setuid bits or file caps.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return os_fail(errno, "prctl(PR_SET_NO_NEW_PRIVS)");

    bool as_root = geteuid() == 0;
    bool switch_user = as_root && !user.empty() && ids.uid != 0;

    capng_clear(CAPNG_SELECT_ALL);
    for (unsigned cap : caps) {
        if (capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED),
                         cap) != 0)
            return fail("cannot keep {}: libcap-ng refused it", cap_name(cap));
    }

    if (switch_user) {
        int rc =
            capng_change_id(static_cast<int>(ids.uid), static_cast<int>(ids.gid),
                            static_cast<capng_flags_t>(CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING |
                                                       CAPNG_CLEAR_AMBIENT));
        if (rc != 0)
            return os_fail(errno, "switch to user '{}' (uid {}): {} failed", user, ids.uid,
                           change_id_step(rc));
    } else {
        // Not root (systemd User= with AmbientCapabilities=), or asked to stay root: trim the
        // sets in place. Only root holds CAP_SETPCAP, needed to clear the bounding set.
        auto select = as_root
                          ? CAPNG_SELECT_ALL
                          : static_cast<capng_select_t>(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
        if (capng_apply(select) != 0) {
            return os_fail(errno,
                           "trim capabilities to the ones needed: is each of them granted "
                           "(AmbientCapabilities= in the unit)?");
        }
    }
    return verify(switch_user, as_root, caps);
}

}  // namespace triplay
