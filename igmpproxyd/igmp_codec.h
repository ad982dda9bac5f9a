// SPDX-License-Identifier: GPL-2.0-or-later
// IGMP messages (RFC 1112 v1, RFC 2236 v2, RFC 3376 / RFC 9776 v3) and the IPv4 header they
// arrive in on a raw socket: bytes <-> plain data. Pure: no sockets, clock or logging.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "bytes.h"
#include "net_types.h"
#include "tl/expected.hpp"

namespace igmp {

using triplay::Ipv4;

// RFC 3376 §4: message types.
enum class Type : uint8_t {
    Query = 0x11,
    V1Report = 0x12,
    V2Report = 0x16,
    V2Leave = 0x17,
    V3Report = 0x22,
};

enum class Version : uint8_t { V1 = 1, V2 = 2, V3 = 3 };

// RFC 3376 §4.2.12: group record types.
enum class RecordType : uint8_t {
    ModeIsInclude = 1,
    ModeIsExclude = 2,
    ChangeToInclude = 3,
    ChangeToExclude = 4,
    AllowNewSources = 5,
    BlockOldSources = 6,
};

// Caps on what one packet may make us allocate. A 64 KiB datagram holds at most 16,381
// addresses; nothing legitimate comes close (RFC 3376 §4.1.8 limits a query to the MTU).
inline constexpr size_t kMaxSources = 1024;   // per query or per record
inline constexpr size_t kMaxRecords = 1024;   // per v3 report

struct Query {
    Version version = Version::V2;  // RFC 3376 §7.1: by length and max resp code
    Ipv4 group;                     // 0.0.0.0 = general query
    uint8_t max_resp_code = 100;    // tenths of a second (v3: RFC 3376 §4.1.1 exponential form)
    // v3 only (RFC 3376 §4.1.5 - §4.1.8):
    bool suppress_router_side = false;
    uint8_t qrv = 2;
    uint8_t qqic = 125;
    std::vector<Ipv4> sources;
    bool operator==(const Query&) const = default;
};

struct GroupRecord {
    RecordType type = RecordType::ModeIsExclude;
    Ipv4 group;
    std::vector<Ipv4> sources;
    // aux data (RFC 3376 §4.2.6) is skipped, never kept
    bool operator==(const GroupRecord&) const = default;
};

// v1/v2 membership report: one group. v3 report: records.
struct Report {
    Version version = Version::V2;
    Ipv4 group;                        // v1/v2
    std::vector<GroupRecord> records;  // v3
    bool operator==(const Report&) const = default;
};

struct Leave {
    Ipv4 group;
    bool operator==(const Leave&) const = default;
};

// Any other type (mtrace 0x1e/0x1f, DVMRP 0x13, PIMv1 0x14 ...): counted, ignored.
struct Other {
    uint8_t type = 0;
    bool operator==(const Other&) const = default;
};

using Message = std::variant<Query, Report, Leave, Other>;

// The IPv4 header in front of an IGMP message on a raw socket.
struct IpHeader {
    Ipv4 src;
    Ipv4 dst;
    uint8_t ttl = 0;
    uint8_t protocol = 0;
    bool router_alert = false;  // RFC 2113 option present (RFC 3376 §4 requires it for v3)
    size_t header_len = 0;
};

enum class ParseError {
    Truncated,      // shorter than the header or a count says
    BadIpHeader,    // IHL < 5, total length beyond the datagram, not IPv4
    NotIgmp,        // protocol is not 2
    BadChecksum,    // RFC 1071 sum over the IGMP message is not zero
    BadLength,      // a length that matches no IGMP message (e.g. a 9..11 byte query)
    TooManySources, // a count above kMaxSources / kMaxRecords
};
std::string_view to_string(ParseError e);

struct Datagram {
    IpHeader ip;
    Message msg;
};

// A whole IPv4 datagram as read from a raw IPPROTO_IGMP socket.
tl::expected<Datagram, ParseError> parse_datagram(std::span<const uint8_t> bytes);
// The IGMP message alone (after the IP header). Verifies the checksum.
tl::expected<Message, ParseError> parse_message(std::span<const uint8_t> bytes);

// Serialisers write the IGMP message only (the kernel builds the IP header; the socket sets
// the Router Alert option) with a correct checksum. They return false when out is too small.
bool serialize(const Query& q, triplay::ByteWriter& out);
bool serialize(const Report& r, triplay::ByteWriter& out);
bool serialize(const Leave& l, triplay::ByteWriter& out);

// RFC 3376 §4.1.1 / §4.1.7: the 8-bit exponential code <-> its value (in units: tenths of a
// second for Max Resp Code, seconds for QQIC). Values < 128 are literal.
uint32_t decode_exp_code(uint8_t code);
uint8_t encode_exp_code(uint32_t value);  // rounds down to a representable value

}  // namespace igmp
