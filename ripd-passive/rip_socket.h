// SPDX-License-Identifier: GPL-2.0-or-later
// The one UDP socket: bound to 0.0.0.0:520, IP_PKTINFO tells which interface each datagram
// arrived on, 224.0.0.9 joined per interface by index. It sends only the optional Request.
#pragma once

#include <cstdint>
#include <span>

#include "net_types.h"
#include "recv.h"
#include "result.h"
#include "unique_fd.h"

namespace ripd {

// A received datagram with the interface it arrived on.
using Datagram = triplay::Received;

class RipSocket {
public:
    // Opens and binds. Needs CAP_NET_BIND_SERVICE (port 520): call before dropping privileges.
    static triplay::Result<RipSocket> open(uint16_t port);
    int fd() const { return m_fd.get(); }

    // IP_ADD_MEMBERSHIP for 224.0.0.9 on ifindex. Joining twice is not an error.
    triplay::Result<> join(int ifindex);
    triplay::Result<> leave(int ifindex);

    // One datagram, or nullopt at EAGAIN. `buf` receives the bytes.
    triplay::Result<std::optional<Datagram>> receive(std::span<uint8_t> buf);

    // Sends `payload` to 224.0.0.9:520 out of ifindex with TTL 1 (RFC 2453 §5.2).
    triplay::Result<> send_multicast(int ifindex, std::span<const uint8_t> payload);

private:
    explicit RipSocket(triplay::UniqueFd fd, uint16_t port) : m_fd(std::move(fd)), m_port(port) {}
    triplay::UniqueFd m_fd;
    uint16_t m_port;
};

}  // namespace ripd
