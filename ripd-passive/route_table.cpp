// SPDX-License-Identifier: GPL-2.0-or-later
#include "route_table.h"

#include <algorithm>

namespace ripd {

void RouteTable::set_deadline(Route& r, TimePoint d) {
    m_deadlines.erase({r.deadline, r.prefix});
    r.deadline = d;
    m_deadlines.insert({d, r.prefix});
}

void RouteTable::start_deletion(Route& r, TimePoint now, std::vector<Action>& out) {
    // RFC 2453 §3.8: on timeout (or a metric of 16) the metric becomes 16, the route is
    // withdrawn at once and stays in the table for the garbage-collection time.
    if (!r.deleting()) ++m_deleting;
    r.metric = kInfinity;
    set_deadline(r, now + m_timers.garbage);
    out.push_back({Action::Kind::Withdraw, r});
}

void RouteTable::erase(std::map<Prefix4, Route>::iterator it) {
    m_deadlines.erase({it->second.deadline, it->first});
    if (it->second.deleting()) --m_deleting;
    m_routes.erase(it);
}

bool RouteTable::make_room() {
    if (m_routes.size() < m_max) return true;
    if (m_deleting == 0) return false;  // full of live routes: nothing to evict
    // Routes being garbage-collected are gone from the kernel already: the oldest goes first.
    for (auto& [deadline, prefix] : m_deadlines) {
        auto it = m_routes.find(prefix);
        if (it != m_routes.end() && it->second.deleting()) {
            erase(it);
            return true;
        }
    }
    return false;
}

Update RouteTable::update(const Candidate& c, Ipv4 source, int ifindex, TimePoint now,
                          std::vector<Action>& out) {
    // RFC 2453 §3.9.2: metric = MIN(metric + cost, infinity), cost 1 per network.
    uint32_t metric = std::min(c.metric + 1, kInfinity);
    auto it = m_routes.find(c.prefix);
    if (it == m_routes.end()) {
        // "If the new metric is infinity, there is no point in adding the route."
        if (metric >= kInfinity) return Update::Ignored;
        if (!make_room()) return Update::TableFull;
        Route r{c.prefix, c.next_hop, source, ifindex, metric, c.tag, now, now, {}};
        auto [ins, _] = m_routes.emplace(c.prefix, r);
        ins->second.deadline = now + m_timers.timeout;
        m_deadlines.insert({ins->second.deadline, c.prefix});
        out.push_back({Action::Kind::Install, ins->second});
        return Update::Added;
    }
    Route& r = it->second;
    bool same_source = r.source == source && r.ifindex == ifindex;
    if (same_source) {
        if (metric >= kInfinity) {
            // Already being deleted: the garbage timer keeps running (§3.9.2 last paragraph).
            if (r.deleting()) return Update::Ignored;
            start_deletion(r, now, out);
            return Update::Withdrawn;
        }
        r.refreshed = now;
        bool changed = r.deleting() || r.metric != metric || r.next_hop != c.next_hop ||
                       r.tag != c.tag;
        if (r.deleting()) --m_deleting;
        r.metric = metric;
        r.next_hop = c.next_hop;
        r.tag = c.tag;
        set_deadline(r, now + m_timers.timeout);
        if (!changed) return Update::Refreshed;
        out.push_back({Action::Kind::Install, r});
        return Update::Changed;
    }
    // Another neighbour: a better metric wins; an equal one wins when the current route is
    // at least halfway to its timeout (§3.9.2 heuristic), so a dying route is replaced early.
    bool better = metric < r.metric;
    bool equal_and_stale = metric == r.metric && metric < kInfinity && !r.deleting() &&
                           now >= r.deadline - m_timers.timeout / 2;
    if (!better && !equal_and_stale) return Update::Ignored;
    if (r.deleting()) --m_deleting;
    r.next_hop = c.next_hop;
    r.source = source;
    r.ifindex = ifindex;
    r.metric = metric;
    r.tag = c.tag;
    r.learned = r.refreshed = now;
    set_deadline(r, now + m_timers.timeout);
    out.push_back({Action::Kind::Install, r});
    return Update::Changed;
}

void RouteTable::expire(TimePoint now, std::vector<Action>& out) {
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        auto it = m_routes.find(m_deadlines.begin()->second);
        if (it == m_routes.end()) {  // cannot happen: every deadline has its route
            m_deadlines.erase(m_deadlines.begin());
            continue;
        }
        if (it->second.deleting())
            erase(it);  // garbage collection done
        else
            start_deletion(it->second, now, out);  // timeout
    }
}

void RouteTable::drop_interface(int ifindex, TimePoint now, std::vector<Action>& out) {
    for (auto& [prefix, r] : m_routes)
        if (r.ifindex == ifindex && !r.deleting()) start_deletion(r, now, out);
}

void RouteTable::drop_unreachable(int ifindex, const RxInterface& rx, TimePoint now,
                                  std::vector<Action>& out) {
    for (auto& [prefix, r] : m_routes)
        if (r.ifindex == ifindex && !r.deleting() && (!rx.on_link(r.next_hop) || !rx.on_link(r.source)))
            start_deletion(r, now, out);
}

std::optional<TimePoint> RouteTable::next_deadline() const {
    if (m_deadlines.empty()) return std::nullopt;
    return m_deadlines.begin()->first;
}

}  // namespace ripd
