// SPDX-License-Identifier: GPL-2.0-or-later
// The proxy's host side on the upstream interface (RFC 4605 §4.1): it reports the merged
// downstream membership as a host would (RFC 3376 §5 v3 state-change and current-state
// reports, RFC 2236 §3 v2 reports and leaves), follows the upstream querier's version
// (RFC 3376 §7.2.1), answers its queries, and refreshes the reports when no querier is heard
// (Movistar never queries and drops a group ~260 s after its last report).
// Pure: transitions take `now` and return Actions; randomness is injected.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "config.h"
#include "igmp_types.h"

namespace igmp {

class UpstreamReporter {
public:
    // A uniformly distributed duration in [0, max]: the RFC 3376 §5.1 / §5.2 and RFC 2236 §3
    // random delays. Injected so tests are deterministic.
    using Random = std::function<Duration(Duration max)>;

    struct Config {
        UpstreamVersion version = UpstreamVersion::Auto;  // Auto: RFC 3376 §7.2.1
        // Auto: every refresh_period while no querier has been heard for the Other Querier
        // Present Interval (RFC 3376 §8.5). Fixed: every refresh_period once no querier has
        // been heard for refresh_period. Off: only state changes and answers to queries.
        RefreshMode refresh = RefreshMode::Auto;
        Duration refresh_period = std::chrono::seconds(60);
        Timers timers;
        size_t mtu = 1500;  // v3 reports are split to fit (RFC 3376 §4.2.16)
    };

    struct Group {
        FilterState state;  // what we report; INCLUDE {} while its leave is retransmitted
        // RFC 3376 §5.1 retransmission state: filter-mode change, then per-source counters.
        unsigned mode_left = 0;
        std::map<Ipv4, unsigned> allow_left;
        std::map<Ipv4, unsigned> block_left;
        unsigned v2_left = 0;  // repeats of the v1/v2 report or v2 leave still due
        std::optional<TimePoint> retransmit_at;
        // A pending answer to a query for this group (RFC 3376 §5.2; RFC 2236 §3 per-group
        // timers in v1/v2 mode, for general queries too).
        std::optional<TimePoint> respond_at;
        SourceSet respond_sources;  // v3 group-and-source-specific query; empty: whole group
        bool retransmitting() const {
            return mode_left > 0 || !allow_left.empty() || !block_left.empty() || v2_left > 0;
        }
    };

    UpstreamReporter(int ifindex, Config c, Random random);
    void set_config(Config c, TimePoint now, std::vector<Action>& out);
    // The upstream interface came back with another index.
    void set_ifindex(int ifindex) { m_ifindex = ifindex; }

    // The merged downstream membership of `group` (Membership::upstream_state); INCLUDE {}
    // ends it. Returns false for a group that is never reported (224.0.0.0/24, not class D).
    bool set_membership(Ipv4 group, const FilterState& state, TimePoint now,
                        std::vector<Action>& out);
    // Every group at once (Membership::upstream_states): groups not in `states` end.
    void sync(const std::map<Ipv4, FilterState>& states, TimePoint now, std::vector<Action>& out);
    // A query heard on the upstream interface.
    void heard_query(Ipv4 source, const Query& q, TimePoint now, std::vector<Action>& out);
    // Shutdown: one leave (v2) or TO_IN {} (v3) per group now; nothing stays pending.
    void leave_all(TimePoint now, std::vector<Action>& out);

    void expire(TimePoint now, std::vector<Action>& out);
    std::optional<TimePoint> next_deadline() const;

    // RFC 3376 §7.2.1 Host Compatibility Mode as of the last event.
    Version version() const { return m_version; }
    bool querier_heard(TimePoint now) const;
    const std::map<Ipv4, Group>& groups() const { return m_groups; }

private:
    Version compute_version(TimePoint now) const;
    void update_version(TimePoint now, std::vector<Action>& out);
    Duration delay(Duration max) const;
    Duration refresh_gate() const;
    std::optional<TimePoint> refresh_due() const;
    void state_change_v3(Group& g, const FilterState& before);
    std::vector<GroupRecord> take_pending_v3(Ipv4 group, Group& g);
    void send_v2(Ipv4 group, const Group& g, std::vector<Action>& out) const;
    void send_v3(std::vector<GroupRecord> records, std::vector<Action>& out) const;
    void schedule_retransmit(Group& g, TimePoint now);

    int m_ifindex;
    Config m_cfg;
    Random m_random;
    std::map<Ipv4, Group> m_groups;
    size_t m_active = 0;  // groups whose state is not INCLUDE {}
    Version m_version = Version::V3;
    TimePoint m_v1_querier_until{};  // RFC 3376 §7.2.1 Older Version Querier Present timers
    TimePoint m_v2_querier_until{};
    std::optional<TimePoint> m_last_query;
    std::optional<TimePoint> m_general_at;  // RFC 3376 §5.2 interface timer
    std::optional<TimePoint> m_refresh_at;
};

// RFC 3376 §4.2.16: records into as few reports as fit in `mtu` (with the IP header and its
// Router Alert option). An oversized IS_IN/TO_IN/ALLOW/BLOCK record is split; an oversized
// IS_EX/TO_EX record is truncated.
std::vector<Report> pack_records(std::vector<GroupRecord> records, size_t mtu);

}  // namespace igmp
