// SPDX-License-Identifier: GPL-2.0-or-later
// What igmpproxyd's protocol machines (membership, querier, upstream) share: the clock types,
// the RFC 3376 §8 timer values, a filter state (mode + sources) and the actions the machines
// return for the I/O layer to carry out. Pure data: no sockets, no clock reads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <set>
#include <utility>
#include <variant>
#include <vector>

#include "igmp_codec.h"

namespace igmp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// RFC 3376 §8 (and RFC 2236 §8) protocol variables, with their defaults. A zero count or
// interval marked "derived" takes the RFC's derived default.
struct Timers {
    unsigned robustness = 2;                                    // §8.1
    Duration query_interval = std::chrono::seconds(125);        // §8.2
    Duration query_response = std::chrono::seconds(10);         // §8.3
    Duration startup_interval{};                                // §8.6, derived
    unsigned startup_count = 0;                                 // §8.7, derived
    Duration last_member_interval = std::chrono::seconds(1);    // §8.8
    unsigned last_member_count = 0;                             // §8.9, derived
    Duration unsolicited_report_v3 = std::chrono::seconds(1);   // §8.11
    Duration unsolicited_report_v2 = std::chrono::seconds(10);  // RFC 2236 §8.10

    // RFC 3376 §8.1: the robustness variable MUST NOT be zero; treat it as one rather than
    // send nothing.
    unsigned robust() const { return std::max(1u, robustness); }
    // §8.4 Group Membership Interval.
    Duration group_membership_interval() const {
        return query_interval * robust() + query_response;
    }
    // §8.5 Other Querier Present Interval.
    Duration other_querier_present_interval() const {
        return query_interval * robust() + query_response / 2;
    }
    // §8.6 Startup Query Interval: 1/4 of the Query Interval.
    Duration startup_query_interval() const {
        return startup_interval > Duration::zero() ? startup_interval : query_interval / 4;
    }
    // §8.7 Startup Query Count: the robustness variable.
    unsigned startup_query_count() const { return startup_count > 0 ? startup_count : robust(); }
    // §8.9 Last Member Query Count: the robustness variable.
    unsigned last_member_query_count() const {
        return last_member_count > 0 ? last_member_count : robust();
    }
    // §8.10 Last Member Query Time.
    Duration last_member_query_time() const {
        return last_member_interval * last_member_query_count();
    }
    // §8.13 Older Host Present Interval: the Group Membership Interval.
    Duration older_host_present_interval() const { return group_membership_interval(); }
    // §8.12 Older Version Querier Present Timeout (v1/v2 queries carry no QQIC, so our own
    // query interval stands in for "the Query Interval in the last Query received").
    Duration older_querier_present_interval() const {
        return query_interval * robust() + query_response;
    }
};

// The Max Resp Time a query asks for: tenths of a second, in RFC 3376 §4.1.1's exponential
// form for v3 (RFC 2236 §2.2 literal for v2); a v1 query means 10 s (RFC 2236 §4).
inline Duration max_resp_of(const Query& q) {
    if (q.version == Version::V1) return std::chrono::seconds(10);
    uint32_t tenths =
        q.version == Version::V3 ? decode_exp_code(q.max_resp_code) : uint32_t{q.max_resp_code};
    return std::chrono::milliseconds(100 * int64_t{tenths});
}

// RFC 3376 §3.2 filter state of a group: INCLUDE or EXCLUDE a source list.
enum class FilterMode : uint8_t { Include, Exclude };
using SourceSet = std::set<Ipv4>;

struct FilterState {
    FilterMode mode = FilterMode::Include;
    SourceSet sources;

    // INCLUDE {}: no interest at all (RFC 3376 §3.1, the state of a group nobody joined).
    bool none() const { return mode == FilterMode::Include && sources.empty(); }
    // Whether traffic from `source` passes this filter.
    bool forwards(Ipv4 source) const {
        return (sources.count(source) > 0) == (mode == FilterMode::Include);
    }
    bool operator==(const FilterState&) const = default;
};

// RFC 3376 §3.2 merge of two filter states: any EXCLUDE gives EXCLUDE with the intersection
// of the exclude lists minus the union of the include lists; else INCLUDE of the union. The
// result forwards exactly what either forwards, so folding from INCLUDE {} merges any number.
inline FilterState merge(const FilterState& a, const FilterState& b) {
    using enum FilterMode;
    FilterState r;
    if (a.mode == Include && b.mode == Include) {
        r.sources = a.sources;
        r.sources.insert(b.sources.begin(), b.sources.end());
        return r;
    }
    r.mode = Exclude;
    if (a.mode == Exclude && b.mode == Exclude) {
        std::set_intersection(a.sources.begin(), a.sources.end(), b.sources.begin(),
                              b.sources.end(), std::inserter(r.sources, r.sources.end()));
        return r;
    }
    const FilterState& ex = a.mode == Exclude ? a : b;
    const FilterState& in = a.mode == Exclude ? b : a;
    std::set_difference(ex.sources.begin(), ex.sources.end(), in.sources.begin(), in.sources.end(),
                        std::inserter(r.sources, r.sources.end()));
    return r;
}

// The actions. The I/O layer builds the codec message from each Send*.

// The merged membership of (ifindex, group) left INCLUDE {} (first member).
struct GroupJoined {
    int ifindex = 0;
    Ipv4 group;
    FilterState state;
    bool operator==(const GroupJoined&) const = default;
};
// The merged membership of (ifindex, group) became INCLUDE {} (last member gone).
struct GroupLeft {
    int ifindex = 0;
    Ipv4 group;
    bool operator==(const GroupLeft&) const = default;
};
// The merged membership of a joined group changed its mode or sources.
struct SourcesChanged {
    int ifindex = 0;
    Ipv4 group;
    FilterState state;
    bool operator==(const SourcesChanged&) const = default;
};
// A group-specific query (sources empty) or group-and-source-specific query, sent to the
// group address with Max Resp = Last Member Query Interval (RFC 3376 §6.6.3, RFC 2236 §3). An
// interface querying in v2 sends a source query as a plain group-specific query.
struct SendGroupQuery {
    int ifindex = 0;
    Ipv4 group;
    std::vector<Ipv4> sources;
    bool operator==(const SendGroupQuery&) const = default;
};
// A general query to 224.0.0.1 (RFC 3376 §6.6.3 / RFC 2236 §3).
struct SendGeneralQuery {
    int ifindex = 0;
    Version version = Version::V3;
    Duration max_resp{};
    bool operator==(const SendGeneralQuery&) const = default;
};
// Querier election outcomes (RFC 3376 §6.6.2), for the log and for Membership::set_role.
struct BecameQuerier {
    int ifindex = 0;
    Ipv4 address;
    bool operator==(const BecameQuerier&) const = default;
};
struct LostQuerier {
    int ifindex = 0;
    Ipv4 other;  // the querier that won; 0.0.0.0 when our own address went away
    bool operator==(const LostQuerier&) const = default;
};
// RFC 3376 §7.3.1: a querier of an older version speaks on the link; worth a warning.
struct OlderQuerierHeard {
    int ifindex = 0;
    Ipv4 querier;
    Version version = Version::V2;
    bool operator==(const OlderQuerierHeard&) const = default;
};
// An upstream report or leave, to `dst` (the group for v1/v2 reports, 224.0.0.2 for leaves,
// 224.0.0.22 for v3 reports).
struct SendReport {
    int ifindex = 0;
    Ipv4 dst;
    std::variant<Report, Leave> msg;
    bool operator==(const SendReport&) const = default;
};
// RFC 3376 §7.2.1: the upstream host compatibility mode changed (an older querier appeared or
// its timer ran out).
struct UpstreamVersionChanged {
    int ifindex = 0;
    Version version = Version::V3;
    bool operator==(const UpstreamVersionChanged&) const = default;
};

using Action =
    std::variant<GroupJoined, GroupLeft, SourcesChanged, SendGroupQuery, SendGeneralQuery,
                 BecameQuerier, LostQuerier, OlderQuerierHeard, SendReport, UpstreamVersionChanged>;

// Appends an action built in place. Pushing a temporary instead makes GCC 12 at -O2 warn,
// falsely, that the variant's other alternatives are used uninitialised.
template <class T, class... Args>
void emit(std::vector<Action>& out, Args&&... args) {
    out.emplace_back(std::in_place_type<T>, std::forward<Args>(args)...);
}

// 224.0.0.0/24 is link-local: never proxied nor reported (RFC 4605 §4, RFC 5771 §4).
constexpr bool is_link_local_group(Ipv4 group) {
    return (group.value() >> 8) == 0xe00000;
}

}  // namespace igmp
