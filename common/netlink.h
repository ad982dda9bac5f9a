// SPDX-License-Identifier: GPL-2.0-or-later
// Routes, links and addresses over rtnetlink (libnl-route-3). RouteSocket asks and waits for the
// kernel's answer (every change is acknowledged before it returns); EventSocket listens to the
// kernel's multicast groups so daemons follow links, addresses and routes without polling.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net_types.h"
#include "result.h"

namespace triplay::netlink {

inline constexpr uint32_t kTableMain = 254;  // RT_TABLE_MAIN

struct Route4 {
    Prefix4 dst;
    Ipv4 gateway;          // 0.0.0.0: on-link, no gateway
    int ifindex = 0;       // output interface
    uint32_t metric = 0;   // RTA_PRIORITY
    uint8_t protocol = 0;  // RTPROT_*: 11 zebra, 12 bird, 189 rip (/etc/iproute2/rt_protos)
    uint32_t table = kTableMain;
    bool operator==(const Route4&) const = default;
};

struct Link {
    int ifindex = 0;
    std::string name;
    uint32_t flags = 0;  // IFF_*
    uint32_t mtu = 0;
    Mac mac;
    bool up() const;       // IFF_UP
    bool running() const;  // IFF_RUNNING (carrier)
};

struct Addr {
    int ifindex = 0;
    IfAddr4 addr;
};

enum class Change { New, Del };
struct LinkEvent { Change change; Link link; };
struct AddrEvent { Change change; Addr addr; };
struct RouteEvent { Change change; Route4 route; };
using Event = std::variant<LinkEvent, AddrEvent, RouteEvent>;

class RouteSocket {
public:
    static Result<RouteSocket> open();
    RouteSocket(RouteSocket&&) noexcept;
    RouteSocket& operator=(RouteSocket&&) noexcept;
    ~RouteSocket();

    // RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE: add, or replace the route with the same
    // (table, dst, metric). Waits for the ACK.
    Result<> replace(const Route4& r);
    // RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL: fails with EEXIST when a route with the same
    // (table, dst, metric) exists, whoever owns it. IPv4 replace ignores the protocol, so this
    // is how a daemon avoids overwriting an administrator's route.
    Result<> add(const Route4& r);
    // RTM_DELROUTE matching dst, table, metric, protocol, gateway and ifindex. A route that is
    // already gone is an error with errnum ESRCH/ENOENT, which callers may treat as success.
    Result<> remove(const Route4& r);
    // The route the kernel would use to reach dst (RTM_GETROUTE, what `ip route get` says):
    // its output interface and gateway. ENETUNREACH/EHOSTUNREACH when there is none.
    Result<Route4> lookup(Ipv4 dst);
    // Every IPv4 unicast route of every table.
    Result<std::vector<Route4>> dump_routes();
    Result<std::vector<Link>> dump_links();
    Result<std::vector<Addr>> dump_addrs();

private:
    struct Impl;
    explicit RouteSocket(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

class EventSocket {
public:
    // RouteDeletions: RTM_DELROUTE only. A socket filter drops RTM_NEWROUTE in the kernel, so
    // a daemon that installs thousands of routes is not woken (or overrun) by its own additions.
    enum Group : unsigned { Links = 1, Addrs = 2, Routes = 4, RouteDeletions = 8 };
    // Non-blocking, close-on-exec socket subscribed to the given groups (IPv4 only).
    static Result<EventSocket> open(unsigned groups);
    EventSocket(EventSocket&&) noexcept;
    EventSocket& operator=(EventSocket&&) noexcept;
    ~EventSocket();

    int fd() const;
    // Reads until EAGAIN. When the kernel dropped messages (ENOBUFS) `overrun` is set: the
    // caller must re-dump what it follows, events were lost.
    Result<std::vector<Event>> drain(bool& overrun);

private:
    struct Impl;
    explicit EventSocket(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// "zebra" -> 11, "bird" -> 12: names from /etc/iproute2/rt_protos and iproute2's built-in
// table (kernel, boot, static, zebra, bird, ...), or a number 0..255.
std::optional<uint8_t> parse_protocol(std::string_view s);
std::string protocol_name(uint8_t proto);

}  // namespace triplay::netlink
