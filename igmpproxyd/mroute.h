// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's IPv4 multicast routing API (linux/mroute.h, the "MRT" socket options of
// mrouted heritage): one raw IGMP socket that owns the multicast routing table, its virtual
// interfaces (VIFs) and forwarding cache (MFC), receives every IGMP packet of every interface
// and the kernel's cache-miss upcalls. Closing it makes the kernel drop our VIFs and MFC
// entries (mrtsock_destruct), so nothing survives a crash of the daemon.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "net_types.h"
#include "recv.h"
#include "result.h"
#include "unique_fd.h"

namespace igmp {

using triplay::Ipv4;
using triplay::Result;

inline constexpr int kMaxVifs = 32;  // MAXVIFS

// IGMPMSG_* upcall from the kernel (struct igmpmsg), read over the bytes: the kernel writes it
// where an IP header would be, with im_mbz (the IP protocol byte) zero to tell it apart.
struct Upcall {
    enum class Kind : uint8_t { NoCache = 1, WrongVif = 2, WholePacket = 3, WrongVifWhole = 4 };
    Kind kind = Kind::NoCache;
    int vif = 0;
    Ipv4 source;
    Ipv4 group;
    bool operator==(const Upcall&) const = default;
};
// nullopt when the bytes are an ordinary IGMP datagram (protocol byte non-zero) or too short.
std::optional<Upcall> parse_upcall(std::span<const uint8_t> bytes);

struct SgCount {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t wrong_if = 0;
};

// A received datagram or upcall, with the interface it arrived on (IP_PKTINFO).
using Received = triplay::Received;

class MrouteSocket {
public:
    // Raw IGMP socket + MRT_INIT. EADDRINUSE: another multicast router owns the table.
    static Result<MrouteSocket> open();
    int fd() const { return m_fd.get(); }

    // VIFF_USE_IFINDEX: interfaces by index, so addresses may change under us.
    Result<> add_vif(int vif, int ifindex, uint8_t threshold, uint32_t rate_limit_kbps);
    Result<> del_vif(int vif);
    // ttls[v] = 0: not forwarded to VIF v; otherwise the VIF's threshold (TTL must exceed it).
    Result<> add_mfc(Ipv4 source, Ipv4 group, int parent_vif,
                     const std::array<uint8_t, kMaxVifs>& ttls);
    // A missing entry (ENOENT) counts as success.
    Result<> del_mfc(Ipv4 source, Ipv4 group);
    Result<SgCount> sg_count(Ipv4 source, Ipv4 group);

    // IP_ADD_MEMBERSHIP on ifindex. Link-scope groups (224.0.0.2 for v2 leaves, 224.0.0.22
    // for v3 reports) are delivered to a raw socket only when the interface joined them: the
    // kernel hands 224.0.0.0/24 to local delivery, never to multicast routing.
    Result<> join(int ifindex, Ipv4 group);
    Result<> leave(int ifindex, Ipv4 group);

    // One datagram or nullopt at EAGAIN.
    Result<std::optional<Received>> receive(std::span<uint8_t> buf);
    // An IGMP message out of ifindex, TTL 1, with the Router Alert option (RFC 2236 §2,
    // RFC 3376 §4), from the interface's primary address.
    Result<> send(int ifindex, Ipv4 dst, std::span<const uint8_t> igmp_message);

private:
    explicit MrouteSocket(triplay::UniqueFd fd) : m_fd(std::move(fd)) {}
    triplay::UniqueFd m_fd;
};

}  // namespace igmp
