// SPDX-License-Identifier: GPL-2.0-or-later
#include "membership.h"

#include <algorithm>
#include <climits>
#include <iterator>

namespace igmp {

namespace {

// What `before` forwarded that `after` does not: the whole group (ask with a group-specific
// query) or some sources (a group-and-source-specific query).
struct Loss {
    bool group = false;
    SourceSet sources;
    bool any() const { return group || !sources.empty(); }
};

Loss lost(const FilterState& before, const FilterState& after) {
    Loss l;
    if (before.mode == FilterMode::Include) {
        for (Ipv4 s : before.sources)
            if (!after.forwards(s)) l.sources.insert(s);
    } else if (after.mode == FilterMode::Include) {
        // RFC 3376 §6.4.2, TO_IN in EXCLUDE mode: everything not in a list is gone: Q(G).
        l.group = true;
    } else {
        // EXCLUDE(X) -> EXCLUDE(Y): the newly excluded sources, Y - X (§6.4.2 TO_EX, BLOCK).
        std::set_difference(after.sources.begin(), after.sources.end(), before.sources.begin(),
                            before.sources.end(), std::inserter(l.sources, l.sources.end()));
    }
    return l;
}

// A host's new state after one record, as RFC 3376 §3.2 per-socket state: the host tells
// us its whole state (IS_*/TO_*) or a change to it (ALLOW/BLOCK).
std::optional<FilterState> apply(const FilterState& old, RecordType type, SourceSet b) {
    using enum FilterMode;
    switch (type) {
        case RecordType::ModeIsInclude:
        case RecordType::ChangeToInclude:
            return FilterState{Include, std::move(b)};
        case RecordType::ModeIsExclude:
        case RecordType::ChangeToExclude:
            return FilterState{Exclude, std::move(b)};
        case RecordType::AllowNewSources: {
            FilterState r = old;
            if (r.mode == Include)
                r.sources.insert(b.begin(), b.end());
            else
                for (Ipv4 s : b) r.sources.erase(s);
            return r;
        }
        case RecordType::BlockOldSources: {
            FilterState r = old;
            if (r.mode == Include)
                for (Ipv4 s : b) r.sources.erase(s);
            else
                r.sources.insert(b.begin(), b.end());
            return r;
        }
    }
    return std::nullopt;  // an unknown record type (RFC 3376 §4.2.12: ignore the record)
}

// A zero Last Member Query Interval would make retransmissions due forever at the same
// instant; a millisecond keeps expire() moving.
Duration lmqi(const Timers& t) {
    return std::max(t.last_member_interval, Duration(std::chrono::milliseconds(1)));
}

}  // namespace

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::Accepted:
            return "accepted";
        case Outcome::Ignored:
            return "ignored";
        case Outcome::CompatIgnored:
            return "ignored-older-host-present";
        case Outcome::NotMulticast:
            return "not-multicast";
        case Outcome::LinkLocalGroup:
            return "link-local-group";
        case Outcome::TooManyGroups:
            return "too-many-groups";
        case Outcome::TooManyHosts:
            return "too-many-hosts";
        case Outcome::TooManySources:
            return "too-many-sources";
    }
    return "unknown";
}

Membership::Role Membership::role(int ifindex) const {
    auto it = m_roles.find(ifindex);
    return it == m_roles.end() ? Role::Querier : it->second;
}

FilterState Membership::merge_hosts(const Group& g) const {
    FilterState m;
    for (const auto& [addr, h] : g.hosts) {
        m = merge(m, h.state);
        if (h.lingering) m = merge(m, *h.lingering);
    }
    return m;
}

Outcome Membership::report(int ifindex, Ipv4 host, const Report& r, TimePoint now,
                           std::vector<Action>& out) {
    if (r.version != Version::V3) {
        // RFC 3376 §7.3.2: a v1 or v2 report is IS_EX({}) ...
        GroupRecord rec{RecordType::ModeIsExclude, r.group, {}};
        Outcome o = record(ifindex, host, rec, now, out, r.version);
        if (o != Outcome::Accepted) return o;
        // ... and (re)starts the group's Older Host Present timer (§7.3.2, §8.13).
        Group& g = m_groups.at({r.group, ifindex});
        TimePoint until = now + m_cfg.timers.older_host_present_interval();
        (r.version == Version::V1 ? g.v1_host_until : g.v2_host_until) = until;
        return o;
    }
    std::optional<Outcome> refusal, other;
    bool accepted = false;
    for (const GroupRecord& rec : r.records) {
        Outcome o = record(ifindex, host, rec, now, out, Version::V3);
        if (o == Outcome::Accepted)
            accepted = true;
        else if (is_refusal(o) && !refusal)
            refusal = o;
        else if (!other)
            other = o;
    }
    if (refusal) return *refusal;
    if (accepted) return Outcome::Accepted;
    return other.value_or(Outcome::Ignored);
}

Outcome Membership::leave(int ifindex, Ipv4 host, Ipv4 group, TimePoint now,
                          std::vector<Action>& out) {
    if (!group.is_multicast()) return Outcome::NotMulticast;
    if (is_link_local_group(group)) return Outcome::LinkLocalGroup;
    auto it = m_groups.find({group, ifindex});
    if (it == m_groups.end()) return Outcome::Ignored;
    // RFC 3376 §7.3.2 (and RFC 2236 §4): in v1 compatibility mode leaves are ignored: a v1
    // host never sends one, so a leave cannot tell that the v1 host is gone.
    if (it->second.compat(now) == Version::V1) return Outcome::CompatIgnored;
    // RFC 3376 §7.3.2: a v2 leave is TO_IN({}).
    return record(ifindex, host, {RecordType::ChangeToInclude, group, {}}, now, out, Version::V2);
}

Outcome Membership::record(int ifindex, Ipv4 host, const GroupRecord& rec, TimePoint now,
                           std::vector<Action>& out, Version version) {
    const Ipv4 group = rec.group;
    if (!group.is_multicast()) return Outcome::NotMulticast;
    if (is_link_local_group(group)) return Outcome::LinkLocalGroup;
    const Key key{group, ifindex};
    auto it = m_groups.find(key);
    const Version compat = it == m_groups.end() ? Version::V3 : it->second.compat(now);

    RecordType type = rec.type;
    SourceSet b(rec.sources.begin(), rec.sources.end());
    if (compat != Version::V3) {
        // RFC 3376 §7.3.2: while an older host is present BLOCK is ignored and TO_EX loses
        // its source list: the older host cannot be asked about sources.
        if (type == RecordType::BlockOldSources) return Outcome::CompatIgnored;
        if (type == RecordType::ChangeToExclude) b.clear();
    }

    const Host* known = nullptr;
    if (it != m_groups.end()) {
        auto h = it->second.hosts.find(host);
        if (h != it->second.hosts.end()) known = &h->second;
    }
    const FilterState old = known ? known->state : FilterState{};
    std::optional<FilterState> next = apply(old, type, std::move(b));
    if (!next) return Outcome::Ignored;
    if (next->none() && old.none()) return Outcome::Ignored;  // leaving what it never joined

    // Caps, checked before anything changes.
    if (it == m_groups.end() && m_groups.size() >= m_cfg.max_groups) return Outcome::TooManyGroups;
    if (!known && (it == m_groups.end() ? 0 : it->second.hosts.size()) >= m_cfg.max_hosts)
        return Outcome::TooManyHosts;
    if (!std::includes(old.sources.begin(), old.sources.end(), next->sources.begin(),
                       next->sources.end())) {
        SourceSet all = next->sources;
        if (it != m_groups.end()) {
            for (const auto& [addr, h] : it->second.hosts) {
                if (addr != host) all.insert(h.state.sources.begin(), h.state.sources.end());
                if (h.lingering)
                    all.insert(h.lingering->sources.begin(), h.lingering->sources.end());
            }
        }
        if (all.size() > m_cfg.max_sources) return Outcome::TooManySources;
    }

    if (it == m_groups.end()) it = m_groups.emplace(key, Group{}).first;
    Group& g = it->second;
    const FilterState before = g.merged;
    Host& h = g.hosts[host];
    h.version = version;
    h.state = std::move(*next);
    // RFC 3376 §6.4.1/§6.4.2: a report sets the timers to the Group Membership Interval.
    // Tracked per host: the host that reported is alive whatever the record said.
    if (!h.state.none()) h.expires = now + m_cfg.timers.group_membership_interval();

    // Did the interface lose anything it forwarded? Only then the querier asks whether
    // another host, one we do not know of (a v1/v2 host whose report was suppressed, RFC 2236
    // §3), still wants it: a known host's state already says so, and a leave from host A
    // never cuts what host B declared.
    Loss loss = lost(before, merge_hosts(g));
    if (loss.any()) {
        if (!m_cfg.quickleave) {
            // RFC 2236 §3 / RFC 3376 §6.6.3: keep forwarding for the Last Member Query Time
            // (the group timer lowered to LMQT), here as this host's previous state.
            h.lingering = merge(h.lingering.value_or(FilterState{}), old);
            h.linger_until = now + m_cfg.timers.last_member_query_time();
        }
        // With quickleave the queries still go out, so an unknown member answers and is back
        // within the Last Member Query Interval.
        if (role(ifindex) == Role::Querier)
            request_queries(key, g, loss.group, loss.sources, now, out);
    }
    if (h.state.none() && !h.lingering) g.hosts.erase(host);
    settle(it, before, out);
    return Outcome::Accepted;
}

void Membership::request_queries(const Key& k, Group& g, bool whole_group, const SourceSet& sources,
                                 TimePoint now, std::vector<Action>& out) {
    // RFC 3376 §6.6.3.1 / §6.6.3.2, RFC 2236 §3: the first query at once, then Last Member
    // Query Count - 1 more, Last Member Query Interval apart.
    const unsigned more = m_cfg.timers.last_member_query_count() - 1;
    const bool was_pending = g.queries_pending();
    if (whole_group) {
        emit<SendGroupQuery>(out, k.ifindex, k.group, std::vector<Ipv4>{});
        g.group_queries_left = more;
        // A group-specific query makes every member report its whole state.
        g.source_queries_left.clear();
    } else {
        emit<SendGroupQuery>(out, k.ifindex, k.group,
                             std::vector<Ipv4>(sources.begin(), sources.end()));
        for (Ipv4 s : sources) {
            if (more > 0)
                g.source_queries_left[s] = more;
            else
                g.source_queries_left.erase(s);
        }
    }
    if (!was_pending && g.queries_pending()) g.next_query = now + lmqi(m_cfg.timers);
}

void Membership::send_due_queries(const Key& k, Group& g, TimePoint now, std::vector<Action>& out) {
    if (role(k.ifindex) != Role::Querier) {
        // RFC 3376 §6.6.3: only the querier sends them; the new querier has its own.
        g.group_queries_left = 0;
        g.source_queries_left.clear();
        return;
    }
    if (g.group_queries_left > 0) {
        emit<SendGroupQuery>(out, k.ifindex, k.group, std::vector<Ipv4>{});
        --g.group_queries_left;
    }
    std::vector<Ipv4> sources;
    for (auto s = g.source_queries_left.begin(); s != g.source_queries_left.end();) {
        sources.push_back(s->first);
        if (--s->second == 0)
            s = g.source_queries_left.erase(s);
        else
            ++s;
    }
    if (!sources.empty()) emit<SendGroupQuery>(out, k.ifindex, k.group, std::move(sources));
    if (g.queries_pending()) g.next_query = now + lmqi(m_cfg.timers);
}

void Membership::settle(GroupIt it, const FilterState& before, std::vector<Action>& out) {
    Group& g = it->second;
    const Key k = it->first;
    g.merged = merge_hosts(g);
    if (before.none() && !g.merged.none())
        emit<GroupJoined>(out, k.ifindex, k.group, g.merged);
    else if (!before.none() && g.merged.none())
        emit<GroupLeft>(out, k.ifindex, k.group);
    else if (before != g.merged)
        emit<SourcesChanged>(out, k.ifindex, k.group, g.merged);
    if (g.hosts.empty() && !g.queries_pending())
        erase(it);
    else
        reindex(it);
}

void Membership::reindex(GroupIt it) {
    Group& g = it->second;
    TimePoint d = TimePoint::max();
    for (const auto& [addr, h] : g.hosts) {
        if (!h.state.none()) d = std::min(d, h.expires);
        if (h.lingering) d = std::min(d, h.linger_until);
    }
    if (g.queries_pending()) d = std::min(d, g.next_query);
    m_deadlines.erase({g.deadline, it->first});
    g.deadline = d;
    m_deadlines.insert({d, it->first});
}

void Membership::erase(GroupIt it) {
    m_deadlines.erase({it->second.deadline, it->first});
    m_groups.erase(it);
}

void Membership::heard_query(int ifindex, const Query& q, TimePoint now) {
    // RFC 3376 §6.6.1: a query with the Suppress Router-Side Processing flag changes no timer;
    // general queries change none either. Source-specific queries would lower source timers,
    // which per-host tracking does not keep: the hosts' own reports decide.
    if (q.group.is_unspecified() || q.suppress_router_side || !q.sources.empty()) return;
    auto it = m_groups.find({q.group, ifindex});
    if (it == m_groups.end()) return;
    // RFC 2236 §3 (non-querier): the membership timer becomes Last Member Query Count times
    // the query's Max Resp Time unless already lower; a member's report restores it.
    const TimePoint lower = now + max_resp_of(q) * m_cfg.timers.last_member_query_count();
    for (auto& [addr, h] : it->second.hosts)
        if (!h.state.none() && h.expires > lower) h.expires = lower;
    reindex(it);
}

void Membership::set_role(int ifindex, Role r) {
    m_roles[ifindex] = r;
    if (r == Role::Querier) return;
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        auto next = std::next(it);
        Group& g = it->second;
        if (it->first.ifindex == ifindex && g.queries_pending()) {
            g.group_queries_left = 0;
            g.source_queries_left.clear();
            if (g.hosts.empty())
                erase(it);  // its GroupLeft went out already
            else
                reindex(it);
        }
        it = next;
    }
}

void Membership::drop_interface(int ifindex, std::vector<Action>& out) {
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        auto next = std::next(it);
        if (it->first.ifindex == ifindex) {
            if (!it->second.merged.none()) emit<GroupLeft>(out, ifindex, it->first.group);
            erase(it);
        }
        it = next;
    }
    m_roles.erase(ifindex);
}

void Membership::expire(TimePoint now, std::vector<Action>& out) {
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        const Key k = m_deadlines.begin()->second;
        auto it = m_groups.find(k);
        if (it == m_groups.end()) {  // cannot happen: every deadline has its group
            m_deadlines.erase(m_deadlines.begin());
            continue;
        }
        Group& g = it->second;
        const FilterState before = g.merged;
        for (auto h = g.hosts.begin(); h != g.hosts.end();) {
            Host& host = h->second;
            // RFC 3376 §6.5 / RFC 2236 §3: no report within the Group Membership Interval
            // (or the lowered Last Member Query Time): the host is gone.
            if (!host.state.none() && host.expires <= now) host.state = FilterState{};
            // No one answered the last-member queries: the old state goes too.
            if (host.lingering && host.linger_until <= now) host.lingering.reset();
            if (host.state.none() && !host.lingering)
                h = g.hosts.erase(h);
            else
                ++h;
        }
        if (g.queries_pending() && g.next_query <= now) send_due_queries(k, g, now, out);
        settle(it, before, out);
    }
}

std::optional<TimePoint> Membership::next_deadline() const {
    if (m_deadlines.empty()) return std::nullopt;
    return m_deadlines.begin()->first;
}

const Membership::Group* Membership::find(int ifindex, Ipv4 group) const {
    auto it = m_groups.find({group, ifindex});
    return it == m_groups.end() ? nullptr : &it->second;
}

std::vector<int> Membership::interested(Ipv4 source, Ipv4 group) const {
    std::vector<int> r;
    for (auto it = m_groups.lower_bound({group, INT_MIN});
         it != m_groups.end() && it->first.group == group; ++it)
        if (!it->second.merged.none() && it->second.merged.forwards(source))
            r.push_back(it->first.ifindex);
    return r;
}

FilterState Membership::upstream_state(Ipv4 group) const {
    // RFC 4605 §4.1: the upstream membership is the RFC 3376 §3.2 merge of the downstream
    // interfaces' states.
    FilterState m;
    for (auto it = m_groups.lower_bound({group, INT_MIN});
         it != m_groups.end() && it->first.group == group; ++it)
        m = merge(m, it->second.merged);
    return m;
}

std::map<Ipv4, FilterState> Membership::upstream_states() const {
    std::map<Ipv4, FilterState> r;
    for (const auto& [k, g] : m_groups) {
        if (g.merged.none()) continue;
        auto [it, fresh] = r.try_emplace(k.group, g.merged);
        if (!fresh) it->second = merge(it->second, g.merged);
    }
    return r;
}

}  // namespace igmp
