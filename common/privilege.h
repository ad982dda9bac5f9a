// SPDX-License-Identifier: GPL-2.0-or-later
// Dropping root after the privileged sockets are open: switch to an unprivileged user, keep
// only the named capabilities, set no_new_privs. Any failure is an error: a daemon that cannot
// drop what it should not hold must not run.
#pragma once

#include <initializer_list>
#include <string>

#include "result.h"

namespace triplay {

enum class Cap { NetAdmin, NetRaw, NetBindService };

// When running as root and `user` is not empty: setgid/setgroups/setuid to `user`, keeping
// `keep` in the permitted and effective sets (and nothing else, bounding set cleared).
// When not root (e.g. systemd User= with AmbientCapabilities): trims capabilities to `keep`.
// Always sets PR_SET_NO_NEW_PRIVS.
Result<> drop_privileges(const std::string& user, std::initializer_list<Cap> keep);

// Before dropping: makes sure the directory of `file` (a state file) exists, creating it
// 0755 and owned by `user` when we are root and it is missing, so a daemon started by hand
// as root can write its state after switching users. An empty `file` does nothing.
Result<> prepare_directory_for(const std::string& file, const std::string& user);

}  // namespace triplay
