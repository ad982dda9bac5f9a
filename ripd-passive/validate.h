// SPDX-License-Identifier: GPL-2.0-or-later
// Semantic checks on received RIP packets, in BIRD's order (proto/rip/packets.c): the sender
// first (port, on-link, allow-list), then the packet (version, command, authentication), then
// each route. Every refusal has a named reason that is counted and shown in the state file.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config.h"
#include "rip_codec.h"
#include "tl/expected.hpp"

namespace ripd {

enum class Drop : uint8_t {
    // whole packet
    UnknownInterface,  // arrived on an interface without an [interface] section
    BadSourcePort,     // RFC 2453 §3.9.2: responses come from port 520
    NotOnLink,         // sender not in a subnet of the receiving interface
    NotNeighbor,       // sender not in neighbors =
    BadLength,         // truncated or not 4 + 20*n bytes, or RFC 4822 length fields wrong
    BadVersion,        // version 0, or one the interface does not accept
    BadCommand,        // not Request/Response (3..5 are obsolete, RFC 2453 §4)
    AuthMissing,       // interface wants authentication, packet has none
    AuthFailed,        // wrong type, key id, password or digest
    AuthReplay,        // RFC 4822 §3.2.2 sequence number went backwards
    // one route entry
    BadAfi,       // not AF_INET (2)
    BadMetric,    // RFC 2453 §3.9.2: metric outside 1..16
    BadMask,      // not contiguous
    BadPrefix,    // host bits set, or multicast/loopback/link-local/class E/0.x
    BadV1Entry,   // RFC 1058 §3.1: must-be-zero fields not zero in a RIPv1 entry
    DefaultRefused,  // 0.0.0.0/0, or anything shorter than /8, without allow-default
    NotAccepted,  // outside the interface's accept = list
    TableFull,    // max-routes reached
    Count_
};
inline constexpr size_t kDropCount = static_cast<size_t>(Drop::Count_);
std::string_view drop_name(Drop d);

using DropCounters = std::array<uint64_t, kDropCount>;

// What the receive path knows about the interface a packet arrived on.
struct RxInterface {
    const IfaceConfig& cfg;
    std::span<const triplay::IfAddr4> addrs;
    bool on_link(Ipv4 a) const;  // in one of the interface's subnets, and not one of its addresses
    bool is_own(Ipv4 a) const;
};

// Sender checks, before the bytes are parsed.
std::optional<Drop> check_sender(const RxInterface& rx, Ipv4 src, uint16_t src_port);
// Version and command, after parsing. Authentication is checked by the caller (it needs the
// raw datagram and the replay state).
std::optional<Drop> check_header(const RxInterface& rx, const Packet& p);

// A route ready for the table: prefix, resolved next hop and the metric as received.
struct Candidate {
    Prefix4 prefix;
    Ipv4 next_hop;
    uint32_t metric = 0;
    uint16_t tag = 0;
};

// Prefixes shorter than this are refused with the default route unless allow-default: 0/1 and
// 128/1 together are a default route by another name.
inline constexpr uint8_t kMinPrefixWithoutDefault = 8;

tl::expected<Candidate, Drop> check_route(const RxInterface& rx, Ipv4 src, uint8_t version,
                                          const Rte& rte, bool allow_default);

}  // namespace ripd
