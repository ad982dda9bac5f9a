// SPDX-License-Identifier: GPL-2.0-or-later
// The RIP routing table of RFC 2453 §3.8 and §3.9.2, as plain data and transition functions
// taking `now`. It owns no socket: each change returns an Action (install or withdraw the
// kernel route) for the I/O layer to carry out, so tests drive it with a fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "net_types.h"
#include "validate.h"

namespace ripd {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct Route {
    Prefix4 prefix;
    Ipv4 next_hop;
    Ipv4 source;  // the neighbour that announced it
    int ifindex = 0;
    uint32_t metric = 0;  // RFC 2453 §3.9.2: announced metric + 1, at most 16
    uint16_t tag = 0;
    TimePoint learned{};
    TimePoint refreshed{};
    TimePoint deadline{};  // timeout while active, garbage-collection end while deleting
    bool deleting() const { return metric >= kInfinity; }
    bool operator==(const Route&) const = default;
};

struct Action {
    enum class Kind { Install, Withdraw };
    Kind kind;
    Route route;
};

enum class Update { Added, Refreshed, Changed, Withdrawn, Ignored, TableFull };

class RouteTable {
public:
    struct Timers {
        Clock::duration timeout = std::chrono::seconds(180);
        Clock::duration garbage = std::chrono::seconds(120);
    };

    RouteTable(Timers t, size_t max_routes) : m_timers(t), m_max(max_routes) {}
    void set_limits(Timers t, size_t max_routes) {
        m_timers = t;
        m_max = max_routes;
    }

    // RFC 2453 §3.9.2, one route entry of a Response from `source` received on `ifindex`.
    Update update(const Candidate& c, Ipv4 source, int ifindex, TimePoint now,
                  std::vector<Action>& out);
    // Timeouts and garbage collection due at `now` (RFC 2453 §3.8).
    void expire(TimePoint now, std::vector<Action>& out);
    // Withdraws every route learned on `ifindex` (interface down or address gone).
    void drop_interface(int ifindex, TimePoint now, std::vector<Action>& out);
    // Withdraws routes through `ifindex` whose next hop or source is no longer on-link.
    void drop_unreachable(int ifindex, const RxInterface& rx, TimePoint now,
                          std::vector<Action>& out);

    // Withdraws every active route for which `stale` is true (a reload tightened the rules).
    template <typename Pred>
    void drop_where(Pred stale, TimePoint now, std::vector<Action>& out) {
        for (auto& [prefix, r] : m_routes)
            if (!r.deleting() && stale(r)) start_deletion(r, now, out);
    }

    std::optional<TimePoint> next_deadline() const;
    const std::map<Prefix4, Route>& routes() const { return m_routes; }
    size_t active() const { return m_routes.size() - m_deleting; }

private:
    void set_deadline(Route& r, TimePoint d);
    void start_deletion(Route& r, TimePoint now, std::vector<Action>& out);
    void erase(std::map<Prefix4, Route>::iterator it);
    bool make_room();

    Timers m_timers;
    size_t m_max;
    std::map<Prefix4, Route> m_routes;
    std::set<std::pair<TimePoint, Prefix4>> m_deadlines;  // one per route
    size_t m_deleting = 0;
};

}  // namespace ripd
