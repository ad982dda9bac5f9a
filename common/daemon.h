// SPDX-License-Identifier: GPL-2.0-or-later
// Process plumbing shared by the daemons: detaching, readiness and status for the supervisor.
#pragma once

#include <string_view>

#include "result.h"

namespace triplay::daemon {

// fork, setsid, fork, chdir /, stdin/stdout/stderr to /dev/null. The parent exits 0 once the
// child is running.
Result<> detach();

// sd_notify when built with libsystemd and NOTIFY_SOCKET is set; otherwise no-ops.
void notify_ready();
void notify_reloading();
void notify_stopping();
void notify_status(std::string_view status);

}  // namespace triplay::daemon
