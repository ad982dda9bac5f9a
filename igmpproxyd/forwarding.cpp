// SPDX-License-Identifier: GPL-2.0-or-later
#include "forwarding.h"

#include <algorithm>

namespace igmp {

std::string_view reject_name(Reject r) {
    switch (r) {
        case Reject::LinkLocalGroup: return "link-local-group";
        case Reject::NotMulticast: return "not-multicast";
        case Reject::Blacklisted: return "blacklisted";
        case Reject::NotWhitelisted: return "not-whitelisted";
        case Reject::NotFromUpstream: return "not-from-upstream";
        case Reject::SourceNotAccepted: return "source-not-accepted";
        case Reject::Count_: break;
    }
    return "?";
}

std::optional<Reject> check_group(Ipv4 group, const GroupPolicy& policy) {
    if (!group.is_multicast()) return Reject::NotMulticast;
    // RFC 4605 §4 / RFC 5771: the local network control block is never forwarded.
    if ((group.value() >> 8) == 0xe00000) return Reject::LinkLocalGroup;
    auto in = [group](const Prefix4& p) { return p.contains(group); };
    if (std::any_of(policy.blacklist.begin(), policy.blacklist.end(), in)) return Reject::Blacklisted;
    if (!policy.whitelist.empty() && std::none_of(policy.whitelist.begin(), policy.whitelist.end(), in))
        return Reject::NotWhitelisted;
    return std::nullopt;
}

std::array<uint8_t, kMaxVifs> Forwarding::ttls_for(const std::vector<OutVif>& vifs, int parent) {
    std::array<uint8_t, kMaxVifs> ttls{};
    for (const auto& v : vifs) {
        // Never back out of the interface it came in on; the kernel would count it as a loop.
        if (v.vif < 0 || v.vif >= kMaxVifs || v.vif == parent) continue;
        ttls[static_cast<size_t>(v.vif)] = std::max<uint8_t>(v.threshold, 1);
    }
    return ttls;
}

tl::expected<MfcAction, Reject> Forwarding::on_nocache(Ipv4 source, Ipv4 group, int vif,
                                                        int upstream_vif, bool source_accepted,
                                                        const GroupPolicy& policy,
                                                        const Interest& interest,
                                                        FwdClock::time_point now) {
    if (auto r = check_group(group, policy)) return tl::unexpected(*r);
    // RFC 4605 §4.2: a proxy forwards only from the upstream interface downstream. Traffic
    // from a downstream source is for that LAN only (no downstream-to-upstream forwarding).
    if (vif != upstream_vif) return tl::unexpected(Reject::NotFromUpstream);
    if (!source_accepted) return tl::unexpected(Reject::SourceNotAccepted);
    Entry e;
    e.parent_vif = vif;
    e.ttls = ttls_for(interest(source, group), vif);
    e.created = now;
    m_entries[{source, group}] = e;
    return MfcAction{MfcAction::Kind::Add, source, group, vif, e.ttls};
}

void Forwarding::on_interest_changed(Ipv4 group, const Interest& interest,
                                     std::vector<MfcAction>& out) {
    // Keyed by (S, G): the entries of one group are spread out; a proxy holds a few hundred.
    for (auto& [key, e] : m_entries) {
        if (key.second != group) continue;
        auto ttls = ttls_for(interest(key.first, group), e.parent_vif);
        if (ttls == e.ttls) continue;
        e.ttls = ttls;
        out.push_back({MfcAction::Kind::Add, key.first, group, e.parent_vif, ttls});
    }
}

void Forwarding::sweep(const Counter& packets, std::vector<MfcAction>& out) {
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        auto [source, group] = it->first;
        auto n = packets(source, group);
        if (n && *n != it->second.last_packets) {
            it->second.last_packets = *n;
            ++it;
            continue;
        }
        out.push_back({MfcAction::Kind::Del, source, group, it->second.parent_vif, {}});
        it = m_entries.erase(it);
    }
}

void Forwarding::clear(std::vector<MfcAction>& out) {
    for (const auto& [key, e] : m_entries)
        out.push_back({MfcAction::Kind::Del, key.first, key.second, e.parent_vif, {}});
    m_entries.clear();
}

}  // namespace igmp
