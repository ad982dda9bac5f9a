// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon: wires the MRT socket (IGMP in and out, kernel upcalls), the netlink sockets and
// one timer to the pure machines (Membership, Querier per downstream, UpstreamReporter,
// Forwarding) and carries out their actions.
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include "config.h"
#include "event_loop.h"
#include "forwarding.h"
#include "igmp_codec.h"
#include "log.h"
#include "membership.h"
#include "mroute.h"
#include "netlink.h"
#include "querier.h"
#include "state_file.h"
#include "upstream.h"

namespace igmp {

struct ProxyCounters {
    uint64_t igmp_received = 0;
    uint64_t reports = 0;
    uint64_t leaves = 0;
    uint64_t queries = 0;
    uint64_t upcalls = 0;
    uint64_t mfc_added = 0;
    uint64_t mfc_removed = 0;
    uint64_t sent = 0;
    std::map<std::string, uint64_t> drops;  // by reason
};

class Proxy {
public:
    Proxy(triplay::EventLoop& loop, Config cfg, MrouteSocket mrt, triplay::netlink::RouteSocket rtnl,
          triplay::netlink::EventSocket events);

    triplay::Result<> start();
    void reload(Config cfg);
    void log_state() const;
    // Leaves every group upstream; the kernel drops VIFs and MFC entries when the MRT socket
    // closes with the process.
    void shutdown();
    std::string state_json() const;

private:
    struct Link {
        std::string name;
        bool up = false;
        std::vector<triplay::IfAddr4> addrs;
        int vif = -1;
        uint32_t mtu = 1500;
    };

    void on_readable();
    void handle_igmp(int ifindex, std::span<const uint8_t> bytes, TimePoint now);
    void handle_upcall(const Upcall& u, TimePoint now);
    void drop(std::string_view reason, int ifindex, Ipv4 from);
    void apply(std::vector<Action>& actions, TimePoint now);
    void apply_mfc(std::vector<MfcAction>& actions);
    void send(int ifindex, Ipv4 dst, const std::variant<Query, Report, Leave>& msg);
    void group_changed(Ipv4 group, TimePoint now, std::vector<Action>& out);
    std::vector<OutVif> interest(Ipv4 source, Ipv4 group) const;
    bool source_accepted(Ipv4 source);

    void on_netlink();
    void on_link(const triplay::netlink::Link& l, bool gone);
    void on_addr(const triplay::netlink::Addr& a, bool gone);
    void sync_interfaces(TimePoint now);
    void attach(int ifindex, Link& link, Role role, TimePoint now);
    void detach(int ifindex, Link& link, TimePoint now);
    int free_vif() const;
    int upstream_ifindex() const { return m_upstream_if; }
    std::string ifname(int ifindex) const;
    void check_sysctls() const;

    void rearm();
    void on_timer();
    void sweep_mfc();

    Membership::Config membership_config() const;
    Querier::Config querier_config() const;
    UpstreamReporter::Config upstream_config() const;

    triplay::EventLoop& m_loop;
    Config m_cfg;
    MrouteSocket m_mrt;
    triplay::netlink::RouteSocket m_rtnl;
    triplay::netlink::EventSocket m_events;
    std::mt19937_64 m_rng;
    Membership m_membership;
    UpstreamReporter m_upstream;
    std::map<int, Querier> m_queriers;  // by downstream ifindex
    Forwarding m_fwd;
    std::map<int, Link> m_links;
    int m_upstream_if = 0;  // the attached upstream interface, 0 when none
    bool m_running = false;  // start() done: main's preflight covered what start() attached
    ProxyCounters m_counters;
    std::vector<uint8_t> m_buf;
    std::optional<TimePoint> m_armed;
    triplay::EventLoop::TimerId m_timer = 0;
    TimePoint m_started;
    triplay::log::RateLimiter m_drop_log{10, std::chrono::seconds(10)};
    triplay::log::RateLimiter m_io_log{5, std::chrono::seconds(10)};
    std::map<int, triplay::log::RateLimiter> m_flood;  // reports per downstream interface
    triplay::StateFile m_state;
};

}  // namespace igmp
