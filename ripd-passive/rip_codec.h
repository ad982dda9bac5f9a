// SPDX-License-Identifier: GPL-2.0-or-later
// RIP packets (RFC 2453 §4, RFC 1058 §3.1) and their authentication entries (RFC 2453 §4.1
// plain text, RFC 4822 §2 keyed MD5): bytes <-> plain data. Pure: no sockets, clock or logging.
//
//   0                   1                   2                   3
//   +---------------+---------------+-------------------------------+
//   |  command (1)  |  version (1)  |       must be zero (2)        |
//   +---------------+---------------+-------------------------------+
//   | Address Family Identifier (2) |        Route Tag (2)          |  RTE, 20 bytes,
//   |                         IP Address (4)                        |  repeated
//   |                         Subnet Mask (4)                       |
//   |                         Next Hop (4)                          |
//   |                         Metric (4)                            |
//   +---------------------------------------------------------------+
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "bytes.h"
#include "net_types.h"
#include "tl/expected.hpp"

namespace ripd {

using triplay::Ipv4;

inline constexpr uint16_t kRipPort = 520;
inline constexpr size_t kHeaderSize = 4;
inline constexpr size_t kRteSize = 20;
inline constexpr uint16_t kAfiInet = 2;
inline constexpr uint16_t kAfiAuth = 0xffff;    // RFC 2453 §4.1
inline constexpr uint16_t kAuthPlain = 2;        // RFC 2453 §4.1
inline constexpr uint16_t kAuthCrypto = 3;       // RFC 4822 §2.1 (keyed MD5)
inline constexpr uint16_t kAuthTrailer = 0x0001;  // RFC 4822 §2.2, type field of the trailer
inline constexpr uint32_t kInfinity = 16;
inline constexpr size_t kMd5Len = 16;
// The largest datagram we read. RIP itself caps at 512 bytes (RFC 2453 §3.6), but BIRD and
// others fill the interface MTU, so anything a UDP datagram can hold is parsed.
inline constexpr size_t kMaxPacket = 65535;

enum class Command : uint8_t { Request = 1, Response = 2 };

struct Rte {
    uint16_t afi = kAfiInet;
    uint16_t tag = 0;
    Ipv4 addr;
    Ipv4 mask;
    Ipv4 next_hop;
    uint32_t metric = 0;
    bool operator==(const Rte&) const = default;
};

struct AuthPlain {
    std::array<uint8_t, 16> password{};  // zero padded (RFC 2453 §4.1)
    bool operator==(const AuthPlain&) const = default;
};

// RFC 4822 §2.1: the authentication entry in place of the first RTE, and §2.2 the trailer.
struct AuthCrypto {
    uint16_t packet_length = 0;  // offset of the trailer: header + every RTE incl. this one
    uint8_t key_id = 0;
    uint8_t auth_data_len = 20;  // 20 (RFC 4822: trailer header + digest) or 16 (old Quagga)
    uint32_t sequence = 0;
    std::array<uint8_t, kMd5Len> digest{};
    bool operator==(const AuthCrypto&) const = default;
};

// Any other authentication type, kept so it can be named in a drop reason.
struct AuthOther {
    uint16_t type = 0;
    bool operator==(const AuthOther&) const = default;
};

using Auth = std::variant<std::monostate, AuthPlain, AuthCrypto, AuthOther>;

struct Packet {
    uint8_t command = 0;  // kept raw: unknown commands are a semantic drop, not a parse error
    uint8_t version = 0;
    uint16_t must_be_zero = 0;
    Auth auth;
    std::vector<Rte> entries;  // routes only; the authentication entry and trailer are in auth
    bool operator==(const Packet&) const = default;
};

enum class ParseError {
    Truncated,       // shorter than the 4-byte header
    BadLength,       // the body is not a whole number of 20-byte entries
    BadAuthLength,   // RFC 4822 packet length field points outside the datagram
    BadAuthTrailer,  // the trailer is missing or not 0xffff/0x0001
};
std::string_view to_string(ParseError e);

tl::expected<Packet, ParseError> parse(std::span<const uint8_t> datagram);

// Writes a packet. For AuthCrypto, packet_length is computed and the digest written as stored
// (sign it afterwards with rip_auth's md5_sign). Returns false if `out` is too small.
bool serialize(const Packet& p, triplay::ByteWriter& out);

}  // namespace ripd
