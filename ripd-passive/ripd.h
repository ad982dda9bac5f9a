// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon: wires the RIP socket, the netlink sockets and the timers to the pure parts
// (codec, validation, table) and carries out the table's actions on the kernel.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "config.h"
#include "event_loop.h"
#include "kernel_routes.h"
#include "log.h"
#include "netlink.h"
#include "rip_auth.h"
#include "rip_socket.h"
#include "state_file.h"
#include "route_table.h"
#include "validate.h"

namespace ripd {

struct Counters {
    uint64_t packets = 0;
    uint64_t responses = 0;
    uint64_t requests_ignored = 0;
    uint64_t routes_accepted = 0;
    uint64_t requests_sent = 0;
    DropCounters drops{};
};

class Ripd {
public:
    Ripd(triplay::EventLoop& loop, Config cfg, RipSocket sock, triplay::netlink::RouteSocket rtnl,
         triplay::netlink::EventSocket events);

    // Learns the interfaces, joins 224.0.0.9, removes stale routes, starts listening.
    triplay::Result<> start();
    // SIGHUP with a config that parsed.
    void reload(Config cfg);
    // SIGUSR1.
    void log_state() const;
    // SIGTERM: removes our routes unless keep-routes-on-exit.
    void shutdown();

    const RouteTable& table() const { return m_table; }
    const Counters& counters() const { return m_counters; }
    std::string state_json() const;

private:
    struct Link {
        std::string name;
        bool up = false;
        std::vector<triplay::IfAddr4> addrs;
        bool joined = false;
        bool requested = false;  // request-on-start sent
    };

    void on_readable();
    void handle(const Datagram& d, TimePoint now);
    void drop(Drop reason, const Datagram& d, std::string_view detail = {});
    void on_netlink();
    void resync();
    void on_link(const triplay::netlink::Link& l, bool gone);
    void on_addr(const triplay::netlink::Addr& a, bool gone);
    void refresh_membership(int ifindex);
    void send_request(int ifindex, const IfaceConfig& ic);
    void apply(std::vector<Action>& actions);
    void arm_table_timer();
    const IfaceConfig* config_for(int ifindex) const;
    std::string ifname(int ifindex) const;

    triplay::EventLoop& m_loop;
    Config m_cfg;
    RipSocket m_sock;
    triplay::netlink::RouteSocket m_rtnl;
    triplay::netlink::EventSocket m_events;
    NetlinkBackend m_backend;
    KernelRoutes m_kernel;
    RouteTable m_table;
    ReplayGuard m_replay;
    std::map<int, Link> m_links;
    Counters m_counters;
    std::vector<uint8_t> m_buf;
    std::vector<Action> m_actions;
    std::optional<TimePoint> m_armed_deadline;
    triplay::EventLoop::TimerId m_table_timer = 0;
    TimePoint m_started;
    std::vector<triplay::log::RateLimiter> m_drop_log;  // one per Drop reason
    triplay::StateFile m_state;
    triplay::log::RateLimiter m_kernel_log{5, std::chrono::seconds(10)};
};

}  // namespace ripd
