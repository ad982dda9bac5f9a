// SPDX-License-Identifier: GPL-2.0-or-later
// The multicast forwarding cache as the proxy wants it (RFC 4605 §4.2): which (S,G) flows the
// kernel forwards from the upstream VIF to which downstream VIFs. Pure: decisions in, MRT
// actions out. The I/O layer answers the questions that need the kernel (is S routed via the
// upstream interface?) and carries the actions out on the MRT socket.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "mroute.h"
#include "net_types.h"
#include "tl/expected.hpp"

namespace igmp {

using triplay::Prefix4;
using FwdClock = std::chrono::steady_clock;

struct GroupPolicy {
    std::vector<Prefix4> whitelist;  // empty: every group (but 224.0.0.0/24)
    std::vector<Prefix4> blacklist;
};

// Why a group is not proxied, or a flow not forwarded. Counted and shown in the state file.
enum class Reject : uint8_t {
    LinkLocalGroup,     // 224.0.0.0/24 is never proxied (RFC 4605 §4, RFC 5771)
    NotMulticast,
    Blacklisted,
    NotWhitelisted,
    NotFromUpstream,    // the packet did not arrive on the upstream VIF
    SourceNotAccepted,  // not on the upstream subnet, not in altnet, not routed via upstream
    Count_
};
std::string_view reject_name(Reject r);

// The group policy alone: also used to decide what membership is kept and reported.
std::optional<Reject> check_group(Ipv4 group, const GroupPolicy& policy);

struct MfcAction {
    enum class Kind { Add, Del };
    Kind kind = Kind::Add;
    Ipv4 source;
    Ipv4 group;
    int parent_vif = 0;
    std::array<uint8_t, kMaxVifs> ttls{};  // 0: not forwarded there
    bool operator==(const MfcAction&) const = default;
};

// A downstream VIF and its TTL threshold (packets must have TTL above it to go out).
struct OutVif {
    int vif = 0;
    uint8_t threshold = 1;
};

class Forwarding {
public:
    // Downstream VIFs whose members want (S, G); empty when none.
    using Interest = std::function<std::vector<OutVif>(Ipv4 source, Ipv4 group)>;

    // IGMPMSG_NOCACHE for (S,G) that arrived on `vif`. An accepted flow gets an entry even
    // when no one downstream wants it yet (all TTLs 0): the kernel then drops its packets
    // without asking again, and a later join only has to fill in the outgoing VIFs.
    tl::expected<MfcAction, Reject> on_nocache(Ipv4 source, Ipv4 group, int vif, int upstream_vif,
                                                bool source_accepted, const GroupPolicy& policy,
                                                const Interest& interest,
                                                FwdClock::time_point now);
    // Membership of `group` changed downstream: every entry of the group is rewritten.
    void on_interest_changed(Ipv4 group, const Interest& interest, std::vector<MfcAction>& out);
    // Idle expiry: an entry whose packet count did not move since the previous sweep is
    // removed (a flow that stopped, or that nobody wants and the upstream stopped sending).
    // `packets` returns the kernel's counter, nullopt when the entry is gone already.
    using Counter = std::function<std::optional<uint64_t>(Ipv4 source, Ipv4 group)>;
    void sweep(const Counter& packets, std::vector<MfcAction>& out);
    // The upstream interface changed VIF, or went away: everything goes.
    void clear(std::vector<MfcAction>& out);

    struct Entry {
        int parent_vif = 0;
        std::array<uint8_t, kMaxVifs> ttls{};
        uint64_t last_packets = 0;
        FwdClock::time_point created{};
    };
    const std::map<std::pair<Ipv4, Ipv4>, Entry>& entries() const { return m_entries; }  // (S, G)
    size_t size() const { return m_entries.size(); }

private:
    static std::array<uint8_t, kMaxVifs> ttls_for(const std::vector<OutVif>& vifs, int parent);
    std::map<std::pair<Ipv4, Ipv4>, Entry> m_entries;
};

}  // namespace igmp
