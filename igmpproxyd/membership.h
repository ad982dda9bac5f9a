// SPDX-License-Identifier: GPL-2.0-or-later
// Downstream group membership with explicit host tracking: per (interface, group, host) the
// filter state the host declared (RFC 3376 §3.2), merged per interface (RFC 3376 §3.2) and
// across interfaces for the upstream side (RFC 4605 §4.1). Leaves follow RFC 2236 §3 /
// RFC 3376 §6.6.3 (last-member queries) or quickleave; older hosts RFC 3376 §7.3.2.
// Pure: transitions take `now` and return Actions; tests drive it with a fake clock.
#pragma once

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "igmp_types.h"

namespace igmp {

// What became of one report, record or leave. Every refusal has a name for the counters.
enum class Outcome {
    Accepted,
    Ignored,         // nothing to change: a leave or BLOCK for state we do not hold
    CompatIgnored,   // RFC 3376 §7.3.2: BLOCK, or a v2 leave, while an older host is present
    NotMulticast,    // the group is not a class D address
    LinkLocalGroup,  // 224.0.0.0/24 is never proxied (RFC 4605 §4)
    TooManyGroups,   // Config::max_groups (interface, group) pairs exist
    TooManyHosts,    // Config::max_hosts hosts already tracked for the group
    TooManySources,  // the group's hosts would name more than Config::max_sources sources
};
std::string_view to_string(Outcome o);
constexpr bool is_refusal(Outcome o) {
    return o > Outcome::CompatIgnored;
}

class Membership {
public:
    struct Config {
        Timers timers;
        // Forget a leaving host at once (and the group when it was the last known host)
        // instead of keeping its old state for the Last Member Query Time.
        bool quickleave = false;
        size_t max_groups = 1024;  // (interface, group) pairs
        size_t max_hosts = 256;    // per (interface, group)
        size_t max_sources = 256;  // distinct sources named by all hosts of one (interface, group)
    };

    // Only the querier of a link sends group-specific queries (RFC 3376 §6.6.3, RFC 2236 §3).
    enum class Role { Querier, NonQuerier };

    struct Host {
        FilterState state;  // as the host declared it; INCLUDE {} = left
        Version version = Version::V3;
        TimePoint expires{};  // Group Membership Interval after its last report (§8.4)
        // What the host forwarded before it reduced its state, kept for the Last Member Query
        // Time while the querier asks whether anyone else still wants it (not with quickleave).
        std::optional<FilterState> lingering;
        TimePoint linger_until{};
        bool operator==(const Host&) const = default;
    };

    struct Group {
        std::map<Ipv4, Host> hosts;  // by source address of the reports (0.0.0.0 included)
        FilterState merged;          // RFC 3376 §3.2 merge of every host's (and lingering) state
        TimePoint v1_host_until{};   // RFC 3376 §7.3.2 Older Host Present timers
        TimePoint v2_host_until{};
        // Last-member query retransmissions still due (RFC 3376 §6.6.3.1, §6.6.3.2).
        unsigned group_queries_left = 0;
        std::map<Ipv4, unsigned> source_queries_left;
        TimePoint next_query{};
        TimePoint deadline{};  // the earliest of the above, as indexed

        // RFC 3376 §7.3.2 Group Compatibility Mode.
        Version compat(TimePoint now) const {
            if (now < v1_host_until) return Version::V1;
            if (now < v2_host_until) return Version::V2;
            return Version::V3;
        }
        bool queries_pending() const {
            return group_queries_left > 0 || !source_queries_left.empty();
        }
    };

    // Groups are ordered by group first so all interfaces of a group are neighbours.
    struct Key {
        Ipv4 group;
        int ifindex = 0;
        auto operator<=>(const Key&) const = default;
    };

    explicit Membership(Config c) : m_cfg(std::move(c)) {}
    // New timers and caps apply to the next events; existing state and deadlines stay.
    void set_config(Config c) { m_cfg = std::move(c); }
    const Config& config() const { return m_cfg; }

    // A v1/v2 report (one group) or v3 report (records) from `host`, as received on `ifindex`
    // (the interface it arrived on, whatever the sender's subnet). For a v3 report with
    // several records: the first refusal, else Accepted when any record was.
    Outcome report(int ifindex, Ipv4 host, const Report& r, TimePoint now,
                   std::vector<Action>& out);
    // One v3 group record (RFC 3376 §4.2.12) from `host`.
    Outcome record(int ifindex, Ipv4 host, const GroupRecord& rec, TimePoint now,
                   std::vector<Action>& out, Version version = Version::V3);
    // A v2 leave (RFC 2236 §3), handled as TO_IN {} (RFC 3376 §7.3.2).
    Outcome leave(int ifindex, Ipv4 host, Ipv4 group, TimePoint now, std::vector<Action>& out);
    // A query heard on `ifindex` from another router: a group-specific query lowers the
    // group's hosts to the Last Member Query Time (RFC 3376 §6.6.1, RFC 2236 §3).
    void heard_query(int ifindex, const Query& q, TimePoint now);

    // From the querier machine's BecameQuerier / LostQuerier. Interfaces start as querier.
    void set_role(int ifindex, Role r);
    // The interface went away: every group on it is left.
    void drop_interface(int ifindex, std::vector<Action>& out);

    // Host timeouts, lingering ends and query retransmissions due at `now`.
    void expire(TimePoint now, std::vector<Action>& out);
    std::optional<TimePoint> next_deadline() const;

    // Downstream interfaces whose merged state forwards `source` to `group` (RFC 4605 §4.2).
    std::vector<int> interested(Ipv4 source, Ipv4 group) const;
    // The merge over all downstream interfaces, for the upstream reports (RFC 4605 §4.1).
    FilterState upstream_state(Ipv4 group) const;
    std::map<Ipv4, FilterState> upstream_states() const;

    const std::map<Key, Group>& groups() const { return m_groups; }
    const Group* find(int ifindex, Ipv4 group) const;
    size_t size() const { return m_groups.size(); }

private:
    using GroupIt = std::map<Key, Group>::iterator;
    Role role(int ifindex) const;
    FilterState merge_hosts(const Group& g) const;
    void request_queries(const Key& k, Group& g, bool whole_group, const SourceSet& sources,
                         TimePoint now, std::vector<Action>& out);
    void send_due_queries(const Key& k, Group& g, TimePoint now, std::vector<Action>& out);
    // Recomputes the merged state, reports its change, erases an empty group and re-indexes.
    void settle(GroupIt it, const FilterState& before, std::vector<Action>& out);
    void reindex(GroupIt it);
    void erase(GroupIt it);

    Config m_cfg;
    std::map<Key, Group> m_groups;
    std::set<std::pair<TimePoint, Key>> m_deadlines;  // one per group
    std::map<int, Role> m_roles;                      // absent = Querier
};

}  // namespace igmp
