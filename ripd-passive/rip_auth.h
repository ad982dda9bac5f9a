// SPDX-License-Identifier: GPL-2.0-or-later
// RIP authentication checks: plain text (RFC 2453 §4.1) and keyed MD5 (RFC 4822 §3, the
// algorithm of RFC 2082) with sequence-number replay protection (RFC 4822 §3.2.2). MD5 comes
// from nettle; comparisons are constant-time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>

#include "rip_codec.h"

namespace ripd {

enum class AuthMode { None, Plain, Md5 };

struct AuthConfig {
    AuthMode mode = AuthMode::None;
    std::array<uint8_t, 16> key{};  // zero padded
    uint8_t key_id = 0;
    bool operator==(const AuthConfig&) const = default;
};

enum class AuthVerdict { Ok, Missing, Failed };

// The packet's authentication against what the interface asks for. With AuthMode::None any
// authentication entry is ignored (RFC 2453 §4.1: unauthenticated routers skip it).
// `datagram` is the packet as received (the MD5 digest covers it byte for byte).
AuthVerdict check_auth(const AuthConfig& cfg, const Packet& p, std::span<const uint8_t> datagram);

// RFC 4822 §3.2.1 / RFC 2082 §3.2: MD5 over the packet up to and including the trailer's
// 0xffff 0x0001 header, followed by the key padded to 16 bytes.
std::array<uint8_t, kMd5Len> md5_digest(std::span<const uint8_t> covered,
                                        const std::array<uint8_t, 16>& key);
// Fills in the digest of a serialized packet that carries an AuthCrypto entry.
bool md5_sign(std::span<uint8_t> datagram, const std::array<uint8_t, 16>& key);

// RFC 4822 §3.2.2: a packet whose sequence number is lower than the last one accepted from
// the same neighbour is a replay. Serial-number arithmetic (RFC 1982) so the counter may wrap.
// A neighbour silent for longer than `forget_after` starts afresh (it may have rebooted and
// reset its counter; its routes have timed out by then anyway).
class ReplayGuard {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr size_t kMaxNeighbors = 256;

    bool accept(int ifindex, Ipv4 sender, uint32_t sequence, Clock::time_point now,
                Clock::duration forget_after);
    size_t size() const { return m_last.size(); }

private:
    struct Last {
        uint32_t sequence;
        Clock::time_point seen;
    };
    std::map<std::pair<int, Ipv4>, Last> m_last;
};

}  // namespace ripd
