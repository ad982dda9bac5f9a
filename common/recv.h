// SPDX-License-Identifier: GPL-2.0-or-later
// The one receive path of the daemons' datagram sockets: recvmsg with IP_PKTINFO, so every
// datagram is attributed to the interface it ARRIVED on, not to its sender's subnet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "net_types.h"
#include "result.h"

namespace triplay {

struct Received {
    std::span<const uint8_t> bytes;  // within the caller's buffer
    Ipv4 src;                        // AF_INET sockets with a source address only
    uint16_t src_port = 0;
    int ifindex = 0;                 // IP_PKTINFO (the socket must have it enabled)
    bool truncated = false;          // the datagram was larger than the buffer
};

// One datagram, or nullopt at EAGAIN/EINTR. `what` names the socket in errors.
Result<std::optional<Received>> receive_pktinfo(int fd, std::span<uint8_t> buf, const char* what);

}  // namespace triplay
