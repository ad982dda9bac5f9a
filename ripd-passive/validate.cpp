// SPDX-License-Identifier: GPL-2.0-or-later
#include "validate.h"

#include <algorithm>

namespace ripd {

std::string_view drop_name(Drop d) {
    switch (d) {
        case Drop::UnknownInterface: return "unknown-interface";
        case Drop::BadSourcePort: return "bad-source-port";
        case Drop::NotOnLink: return "not-on-link";
        case Drop::NotNeighbor: return "not-neighbor";
        case Drop::BadLength: return "bad-length";
        case Drop::BadVersion: return "bad-version";
        case Drop::BadCommand: return "bad-command";
        case Drop::AuthMissing: return "auth-missing";
        case Drop::AuthFailed: return "auth-failed";
        case Drop::AuthReplay: return "auth-replay";
        case Drop::BadAfi: return "bad-afi";
        case Drop::BadMetric: return "bad-metric";
        case Drop::BadMask: return "bad-mask";
        case Drop::BadPrefix: return "bad-prefix";
        case Drop::BadV1Entry: return "bad-v1-entry";
        case Drop::DefaultRefused: return "default-refused";
        case Drop::NotAccepted: return "not-accepted";
        case Drop::TableFull: return "table-full";
        case Drop::Count_: break;
    }
    return "?";
}

bool RxInterface::is_own(Ipv4 a) const {
    return std::any_of(addrs.begin(), addrs.end(), [a](const auto& x) { return x.addr == a; });
}

bool RxInterface::on_link(Ipv4 a) const {
    if (is_own(a)) return false;
    return std::any_of(addrs.begin(), addrs.end(),
                       [a](const auto& x) { return x.len < 32 && x.subnet().contains(a); });
}

std::optional<Drop> check_sender(const RxInterface& rx, Ipv4 src, uint16_t src_port) {
    // RFC 2453 §3.9.2: "The Response must be ignored if it is not from the RIP port."
    // Requests may come from any port, but a passive listener answers none, so the rule
    // applies to everything we receive.
    if (src_port != kRipPort) return Drop::BadSourcePort;
    // RFC 2453 §3.9.2: the datagram's source must be a directly connected neighbour.
    if (!rx.on_link(src)) return Drop::NotOnLink;
    const auto& n = rx.cfg.neighbors;
    if (!n.empty() && std::find(n.begin(), n.end(), src) == n.end()) return Drop::NotNeighbor;
    return std::nullopt;
}

std::optional<Drop> check_header(const RxInterface& rx, const Packet& p) {
    // RFC 2453 §4: version 0 is never valid; §5.1 lets an interface refuse one version.
    if (p.version == 0 || !rx.cfg.accepts_version(p.version)) return Drop::BadVersion;
    if (p.command != static_cast<uint8_t>(Command::Request) &&
        p.command != static_cast<uint8_t>(Command::Response))
        return Drop::BadCommand;
    return std::nullopt;
}

namespace {

// RFC 1058 §3.2 has no mask on the wire: the natural (classful) mask, narrowed to the
// interface's own mask when the address is inside the interface's network, and a host
// route when the address has bits beyond that.
Ipv4 v1_mask(const RxInterface& rx, Ipv4 addr) {
    uint32_t a = addr.value();
    uint8_t natural = (a >> 31) == 0 ? 8 : (a >> 30) == 2 ? 16 : 24;
    uint8_t len = natural;
    for (const auto& x : rx.addrs) {
        if (triplay::Prefix4(x.addr, natural).contains(addr) && x.len > len) len = x.len;
    }
    if ((a & ~triplay::Prefix4::mask_of(len)) != 0) len = 32;
    return Ipv4(triplay::Prefix4::mask_of(len));
}

}  // namespace

tl::expected<Candidate, Drop> check_route(const RxInterface& rx, Ipv4 src, uint8_t version,
                                          const Rte& rte, bool allow_default) {
    if (rte.afi != kAfiInet) return tl::unexpected(Drop::BadAfi);
    if (rte.metric < 1 || rte.metric > kInfinity) return tl::unexpected(Drop::BadMetric);
    Ipv4 mask = rte.mask;
    Ipv4 next_hop = rte.next_hop;
    if (version == 1) {
        // RFC 1058 §3.1: these fields must be zero in RIPv1.
        if (rte.tag != 0 || !rte.mask.is_unspecified() || !rte.next_hop.is_unspecified())
            return tl::unexpected(Drop::BadV1Entry);
        mask = rte.addr.is_unspecified() ? Ipv4() : v1_mask(rx, rte.addr);
    }
    auto len = Prefix4::mask_to_len(mask);
    if (!len) return tl::unexpected(Drop::BadMask);
    Prefix4 prefix(rte.addr, *len);
    if (prefix.addr() != rte.addr) return tl::unexpected(Drop::BadPrefix);  // host bits set
    if (prefix.len() > 0) {
        Ipv4 a = rte.addr;
        if (a.is_multicast() || a.is_loopback() || a.is_link_local() || a.is_class_e() ||
            (a.value() >> 24) == 0)
            return tl::unexpected(Drop::BadPrefix);
    }
    if (prefix.len() < kMinPrefixWithoutDefault && !allow_default)
        return tl::unexpected(Drop::DefaultRefused);
    const auto& acc = rx.cfg.accept;
    if (!acc.empty() &&
        std::none_of(acc.begin(), acc.end(), [&](const Prefix4& p) { return p.contains(prefix); }))
        return tl::unexpected(Drop::NotAccepted);
    // RFC 2453 §4.4: 0.0.0.0 means "via the sender"; a next hop that is not directly
    // reachable "should be treated as 0.0.0.0". One of our own addresses is no next hop.
    if (next_hop.is_unspecified() || !rx.on_link(next_hop)) next_hop = src;
    return Candidate{prefix, next_hop, rte.metric, rte.tag};
}

}  // namespace ripd
