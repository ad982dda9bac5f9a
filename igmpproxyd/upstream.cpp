// SPDX-License-Identifier: GPL-2.0-or-later
#include "upstream.h"

#include <algorithm>
#include <iterator>

namespace igmp {

namespace {

constexpr size_t kIpHeaderWithRouterAlert = 24;  // RFC 3376 §4: IPv4 header + RFC 2113 option
constexpr size_t kReportHeader = 8;              // RFC 3376 §4.2
constexpr size_t kRecordHeader = 8;              // RFC 3376 §4.2.4, no aux data

std::vector<Ipv4> to_vector(const SourceSet& s) {
    return {s.begin(), s.end()};
}

SourceSet minus(const SourceSet& a, const SourceSet& b) {
    SourceSet r;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(r, r.end()));
    return r;
}

// RFC 3376 §5.2: the current-state record for the whole group.
GroupRecord current_state(Ipv4 group, const FilterState& s) {
    return {s.mode == FilterMode::Include ? RecordType::ModeIsInclude : RecordType::ModeIsExclude,
            group, to_vector(s.sources)};
}

}  // namespace

std::vector<Report> pack_records(std::vector<GroupRecord> records, size_t mtu) {
    const size_t budget = std::max(mtu, size_t{576}) - kIpHeaderWithRouterAlert;
    const size_t max_sources = (budget - kReportHeader - kRecordHeader) / 4;
    std::vector<Report> out;
    Report cur{Version::V3, {}, {}};
    size_t used = kReportHeader;
    auto add = [&](GroupRecord r) {
        size_t size = kRecordHeader + 4 * r.sources.size();
        if (used + size > budget && !cur.records.empty()) {
            out.push_back(std::move(cur));
            cur = Report{Version::V3, {}, {}};
            used = kReportHeader;
        }
        used += size;
        cur.records.push_back(std::move(r));
    };
    for (GroupRecord& r : records) {
        if (r.sources.size() <= max_sources) {
            add(std::move(r));
            continue;
        }
        if (r.type == RecordType::ModeIsExclude || r.type == RecordType::ChangeToExclude) {
            // RFC 3376 §4.2.16: as many sources as fit; the rest are not reported.
            r.sources.resize(max_sources);
            add(std::move(r));
            continue;
        }
        // RFC 3376 §4.2.16: split into records with different subsets of the sources.
        for (size_t i = 0; i < r.sources.size(); i += max_sources) {
            size_t end = std::min(r.sources.size(), i + max_sources);
            add(GroupRecord{r.type,
                            r.group,
                            {r.sources.begin() + static_cast<std::ptrdiff_t>(i),
                             r.sources.begin() + static_cast<std::ptrdiff_t>(end)}});
        }
    }
    if (!cur.records.empty()) out.push_back(std::move(cur));
    return out;
}

UpstreamReporter::UpstreamReporter(int ifindex, Config c, Random random)
    : m_ifindex(ifindex), m_cfg(std::move(c)), m_random(std::move(random)) {
    m_version = compute_version(TimePoint{});
}

void UpstreamReporter::set_config(Config c, TimePoint now, std::vector<Action>& out) {
    m_cfg = std::move(c);
    update_version(now, out);
}

Duration UpstreamReporter::delay(Duration max) const {
    if (max <= Duration::zero() || !m_random) return Duration::zero();
    return std::clamp(m_random(max), Duration::zero(), max);
}

Version UpstreamReporter::compute_version(TimePoint now) const {
    // RFC 3376 §7.2.1: v1 while a v1 querier is present, else v2 while a v2 querier is,
    // else v3. A configured version pins it (v2 still drops to v1: RFC 2236 §4).
    if (m_cfg.version == UpstreamVersion::V3) return Version::V3;
    if (now < m_v1_querier_until) return Version::V1;
    if (m_cfg.version == UpstreamVersion::V2) return Version::V2;
    if (now < m_v2_querier_until) return Version::V2;
    return Version::V3;
}

void UpstreamReporter::update_version(TimePoint now, std::vector<Action>& out) {
    Version v = compute_version(now);
    if (v == m_version) return;
    m_version = v;
    emit<UpstreamVersionChanged>(out, m_ifindex, v);
    // RFC 3376 §7.2.1: a change of compatibility mode cancels every pending response and
    // retransmission timer.
    m_general_at.reset();
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        Group& g = it->second;
        g.mode_left = g.v2_left = 0;
        g.allow_left.clear();
        g.block_left.clear();
        g.retransmit_at.reset();
        g.respond_at.reset();
        g.respond_sources.clear();
        if (g.state.none())
            it = m_groups.erase(it);
        else
            ++it;
    }
}

bool UpstreamReporter::querier_heard(TimePoint now) const {
    return m_last_query && now < *m_last_query + refresh_gate();
}

Duration UpstreamReporter::refresh_gate() const {
    // Auto: a querier counts as gone once silent for the Other Querier Present Interval
    // (RFC 3376 §8.5), the time a router waits before taking over. Fixed: the period itself.
    return m_cfg.refresh == RefreshMode::Auto ? m_cfg.timers.other_querier_present_interval()
                                              : m_cfg.refresh_period;
}

std::optional<TimePoint> UpstreamReporter::refresh_due() const {
    if (m_cfg.refresh == RefreshMode::Off || !m_refresh_at || m_active == 0) return std::nullopt;
    TimePoint due = *m_refresh_at;
    if (m_last_query) due = std::max(due, *m_last_query + refresh_gate());
    return due;
}

void UpstreamReporter::state_change_v3(Group& g, const FilterState& before) {
    // RFC 3376 §5.1: the records for the change from `before` to g.state, merged with the
    // pending report: a filter-mode change is (re)sent Robustness times with the current
    // source list; a source-list change gives ALLOW/BLOCK records whose sources each keep
    // their own retransmission counter.
    const unsigned r = m_cfg.timers.robust();
    if (before.mode != g.state.mode || g.mode_left > 0) {
        g.mode_left = r;
        g.allow_left.clear();
        g.block_left.clear();
        return;
    }
    const bool include = g.state.mode == FilterMode::Include;
    // INCLUDE(A) -> INCLUDE(B): ALLOW(B-A), BLOCK(A-B); EXCLUDE(A) -> EXCLUDE(B): ALLOW(A-B),
    // BLOCK(B-A).
    SourceSet allow =
        include ? minus(g.state.sources, before.sources) : minus(before.sources, g.state.sources);
    SourceSet block =
        include ? minus(before.sources, g.state.sources) : minus(g.state.sources, before.sources);
    for (Ipv4 s : allow) {
        g.block_left.erase(s);
        g.allow_left[s] = r;
    }
    for (Ipv4 s : block) {
        g.allow_left.erase(s);
        g.block_left[s] = r;
    }
}

std::vector<GroupRecord> UpstreamReporter::take_pending_v3(Ipv4 group, Group& g) {
    std::vector<GroupRecord> recs;
    if (g.mode_left > 0) {
        --g.mode_left;
        recs.push_back({g.state.mode == FilterMode::Include ? RecordType::ChangeToInclude
                                                            : RecordType::ChangeToExclude,
                        group, to_vector(g.state.sources)});
        return recs;
    }
    auto take = [&](std::map<Ipv4, unsigned>& left, RecordType type) {
        std::vector<Ipv4> sources;
        for (auto it = left.begin(); it != left.end();) {
            sources.push_back(it->first);
            if (--it->second == 0)
                it = left.erase(it);
            else
                ++it;
        }
        // RFC 3376 §5.1: an ALLOW or BLOCK record with no sources is not sent.
        if (!sources.empty()) recs.push_back({type, group, std::move(sources)});
    };
    take(g.allow_left, RecordType::AllowNewSources);
    take(g.block_left, RecordType::BlockOldSources);
    return recs;
}

void UpstreamReporter::send_v2(Ipv4 group, const Group& g, std::vector<Action>& out) const {
    if (!g.state.none()) {
        // RFC 2236 §3 / RFC 1112: a report to the group address. v1/v2 cannot name sources,
        // so any state but INCLUDE {} joins the whole group (RFC 3376 §7.2.1).
        emit<SendReport>(out, m_ifindex, group, Report{m_version, group, {}});
    } else if (m_version == Version::V2) {
        // RFC 2236 §3: a leave to the all-routers group. A v1 querier knows no leaves.
        emit<SendReport>(out, m_ifindex, kAllRouters, Leave{group});
    }
}

void UpstreamReporter::send_v3(std::vector<GroupRecord> records, std::vector<Action>& out) const {
    // RFC 3376 §4.2.14: v3 reports go to 224.0.0.22.
    for (Report& r : pack_records(std::move(records), m_cfg.mtu))
        emit<SendReport>(out, m_ifindex, kAllV3Routers, std::move(r));
}

void UpstreamReporter::schedule_retransmit(Group& g, TimePoint now) {
    // RFC 3376 §5.1: retransmissions at random intervals in (0, Unsolicited Report Interval];
    // RFC 2236 §3: repeated "once or twice after short delays".
    Duration uri = m_version == Version::V3 ? m_cfg.timers.unsolicited_report_v3
                                            : m_cfg.timers.unsolicited_report_v2;
    if (g.retransmitting())
        g.retransmit_at = now + std::max(delay(uri), Duration(std::chrono::milliseconds(1)));
    else
        g.retransmit_at.reset();
}

bool UpstreamReporter::set_membership(Ipv4 group, const FilterState& state, TimePoint now,
                                      std::vector<Action>& out) {
    // RFC 4605 §4: link-local groups are never proxied, so never reported upstream either.
    if (!group.is_multicast() || is_link_local_group(group)) return false;
    update_version(now, out);
    auto it = m_groups.find(group);
    const FilterState before = it == m_groups.end() ? FilterState{} : it->second.state;
    if (before == state) return true;
    if (it == m_groups.end()) it = m_groups.emplace(group, Group{}).first;
    Group& g = it->second;
    g.state = state;
    if (before.none()) {
        // The first active group starts the refresh period.
        if (m_active++ == 0) m_refresh_at = now + m_cfg.refresh_period;
    } else if (state.none()) {
        --m_active;
    }
    if (state.none()) {
        g.respond_at.reset();  // RFC 3376 §5.2: no reception state, nothing to answer
        g.respond_sources.clear();
    }

    if (m_version == Version::V3) {
        state_change_v3(g, before);
        send_v3(take_pending_v3(group, g), out);  // RFC 3376 §5.1: sent at once
        schedule_retransmit(g, now);
    } else if (before.none() != state.none()) {
        // RFC 2236 §3: an unsolicited report on join, a leave when the group ends; each
        // repeated Robustness - 1 more times. (RFC 2236 asks for one leave; a lost leave would
        // leave a stream flowing for minutes where the upstream never queries.)
        send_v2(group, g, out);
        g.v2_left = m_version == Version::V1 && state.none() ? 0 : m_cfg.timers.robust() - 1;
        schedule_retransmit(g, now);
    }
    // A change of sources only, in v1/v2 mode: nothing to say.
    if (g.state.none() && !g.retransmitting()) m_groups.erase(it);
    return true;
}

void UpstreamReporter::sync(const std::map<Ipv4, FilterState>& states, TimePoint now,
                            std::vector<Action>& out) {
    std::vector<Ipv4> gone;
    for (const auto& [group, g] : m_groups)
        if (!g.state.none() && states.count(group) == 0) gone.push_back(group);
    for (Ipv4 group : gone) set_membership(group, FilterState{}, now, out);
    for (const auto& [group, state] : states) set_membership(group, state, now, out);
}

void UpstreamReporter::heard_query(Ipv4 source, const Query& q, TimePoint now,
                                   std::vector<Action>& out) {
    (void)source;  // any querier counts; the election is the routers' business
    m_last_query = now;
    // RFC 3376 §7.2.1: an older querier sets its Older Version Querier Present timer.
    if (q.version == Version::V1)
        m_v1_querier_until = now + m_cfg.timers.older_querier_present_interval();
    else if (q.version == Version::V2)
        m_v2_querier_until = now + m_cfg.timers.older_querier_present_interval();
    update_version(now, out);

    const Duration max = max_resp_of(q);
    const bool general = q.group.is_unspecified();
    if (m_version == Version::V3) {
        const TimePoint at = now + delay(max);
        // RFC 3376 §5.2 rule 1: an earlier pending answer to a general query covers it all.
        if (m_general_at && *m_general_at <= at) return;
        if (general) {
            m_general_at = at;  // rule 2
            return;
        }
        auto it = m_groups.find(q.group);
        if (it == m_groups.end() || it->second.state.none()) return;  // no reception state
        Group& g = it->second;
        if (!g.respond_at) {  // rule 3
            g.respond_at = at;
            g.respond_sources = SourceSet(q.sources.begin(), q.sources.end());
        } else if (q.sources.empty() || g.respond_sources.empty()) {  // rule 4
            g.respond_sources.clear();
            g.respond_at = std::min(*g.respond_at, at);
        } else {  // rule 5
            g.respond_sources.insert(q.sources.begin(), q.sources.end());
            g.respond_at = std::min(*g.respond_at, at);
        }
        return;
    }
    // RFC 2236 §3: a delay timer per group (every group for a general query), each with its
    // own random delay; a running timer is only reset when the query's Max Resp Time is
    // shorter than what remains of it.
    auto arm = [&](Group& g) {
        if (g.state.none()) return;
        if (!g.respond_at || *g.respond_at > now + max) g.respond_at = now + delay(max);
    };
    if (general) {
        for (auto& [group, g] : m_groups) arm(g);
    } else if (auto it = m_groups.find(q.group); it != m_groups.end()) {
        arm(it->second);
    }
}

void UpstreamReporter::leave_all(TimePoint now, std::vector<Action>& out) {
    update_version(now, out);
    std::vector<GroupRecord> recs;
    for (const auto& [group, g] : m_groups) {
        if (g.state.none()) continue;
        if (m_version == Version::V3)
            recs.push_back({RecordType::ChangeToInclude, group, {}});  // RFC 3376 §5.1
        else
            send_v2(group, Group{}, out);  // a group with INCLUDE {}: its leave
    }
    send_v3(std::move(recs), out);
    m_groups.clear();
    m_active = 0;
    m_general_at.reset();
    m_refresh_at.reset();
}

void UpstreamReporter::expire(TimePoint now, std::vector<Action>& out) {
    update_version(now, out);
    const bool v3 = m_version == Version::V3;
    std::vector<GroupRecord> recs;

    // The whole state at once: the answer to a general query (RFC 3376 §5.2, interface
    // timer) or the refresh while no querier is heard.
    const bool general_due = m_general_at && *m_general_at <= now;
    const auto refresh = refresh_due();
    const bool refresh_now = refresh && *refresh <= now;
    if (general_due) m_general_at.reset();
    if (refresh_now) m_refresh_at = now + m_cfg.refresh_period;
    if (general_due || refresh_now) {
        for (auto& [group, g] : m_groups) {
            if (g.state.none()) continue;
            // Current-state records (IS_IN/IS_EX), not state changes: a router takes them at
            // any time and they restart its timers without triggering queries (§6.4.1).
            if (v3)
                recs.push_back(current_state(group, g.state));
            else
                send_v2(group, g, out);
            g.respond_at.reset();  // answered already
            g.respond_sources.clear();
        }
    }

    for (auto it = m_groups.begin(); it != m_groups.end();) {
        const Ipv4 group = it->first;
        Group& g = it->second;
        if (g.retransmit_at && *g.retransmit_at <= now) {
            if (v3) {
                auto more = take_pending_v3(group, g);
                recs.insert(recs.end(), more.begin(), more.end());
            } else if (g.v2_left > 0) {
                send_v2(group, g, out);
                --g.v2_left;
                if (!g.state.none()) g.respond_at.reset();  // that report answers the query
            }
            schedule_retransmit(g, now);
        }
        if (g.respond_at && *g.respond_at <= now) {
            g.respond_at.reset();
            if (!v3) {
                send_v2(group, g, out);  // RFC 2236 §3: the group's delay timer expired
            } else if (g.respond_sources.empty()) {
                recs.push_back(current_state(group, g.state));
            } else {
                // RFC 3376 §5.2: for a group-and-source-specific query, IS_IN of the queried
                // sources we want: INCLUDE(A): A*Q; EXCLUDE(A): Q-A; nothing when empty.
                const SourceSet& q = g.respond_sources;
                SourceSet want;
                if (g.state.mode == FilterMode::Include)
                    std::set_intersection(q.begin(), q.end(), g.state.sources.begin(),
                                          g.state.sources.end(), std::inserter(want, want.end()));
                else
                    want = minus(q, g.state.sources);
                if (!want.empty())
                    recs.push_back({RecordType::ModeIsInclude, group, to_vector(want)});
            }
            g.respond_sources.clear();
        }
        if (g.state.none() && !g.retransmitting())
            it = m_groups.erase(it);
        else
            ++it;
    }
    if (!recs.empty()) send_v3(std::move(recs), out);
}

std::optional<TimePoint> UpstreamReporter::next_deadline() const {
    std::optional<TimePoint> d;
    auto consider = [&](std::optional<TimePoint> t) {
        if (t && (!d || *t < *d)) d = t;
    };
    consider(m_general_at);
    consider(refresh_due());
    for (const auto& [group, g] : m_groups) {
        consider(g.retransmit_at);
        consider(g.respond_at);
    }
    // The end of an older querier's timer changes the version we speak (RFC 3376 §7.2.1).
    if (m_version == Version::V1)
        consider(m_v1_querier_until);
    else if (m_version == Version::V2 && m_cfg.version == UpstreamVersion::Auto)
        consider(m_v2_querier_until);
    return d;
}

}  // namespace igmp
