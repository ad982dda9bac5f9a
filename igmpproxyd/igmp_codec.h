// SPDX-License-Identifier: GPL-2.0-or-later
// IGMP messages (RFC 1112 v1, RFC 2236 v2, RFC 3376 / RFC 9776 v3) and the IPv4 header they
// arrive in on a raw socket: bytes <-> plain data. Pure: no sockets, clock or logging.
//
//   v1/v2 messages (RFC 2236 §2), 8 bytes:
//   +---------------+---------------+-------------------------------+
//   |     type      | max resp time |           checksum            |
//   |                        group address                          |
//   +---------------------------------------------------------------+
//   v3 query (RFC 3376 §4.1), 12 + 4N bytes:        v3 report (RFC 3376 §4.2), 8 + records:
//   | 0x11 | max resp code |   checksum   |         | 0x22 | reserved |    checksum     |
//   |          group address              |         |   reserved     | nr of records M |
//   | resv|S|QRV | QQIC |  nr of sources N |        | type | aux len | nr of sources N |
//   |     source address [1..N]           |         |     multicast address           |
//                                                   |     source address [1..N]       |
//                                                   |     aux data (aux len words)    |
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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

inline constexpr size_t kHeaderSize = 8;       // every IGMP message (RFC 2236 §2)
inline constexpr size_t kV3QueryMinSize = 12;  // RFC 3376 §4.1, §7.1
inline constexpr size_t kIpMinHeader = 20;     // RFC 791 §3.1, IHL 5
inline constexpr uint8_t kIpProtoIgmp = 2;
inline constexpr uint8_t kIpOptRouterAlert = 148;  // RFC 2113 §2.1: copied, class 0, number 20

// Where IGMP messages are sent: general queries (RFC 3376 §4.1.12), v2 leaves (RFC 2236 §3),
// v3 reports (RFC 3376 §4.2.14).
inline constexpr Ipv4 kAllSystems{224, 0, 0, 1};     // general queries
inline constexpr Ipv4 kAllRouters{224, 0, 0, 2};     // v2 leaves
inline constexpr Ipv4 kAllV3Routers{224, 0, 0, 22};  // v3 reports

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
inline constexpr size_t kMaxSources = 1024;  // per query or per record
inline constexpr size_t kMaxRecords = 1024;  // per v3 report

// A v1 query always reads with max_resp_code 0 and group 0.0.0.0 (RFC 1112 App. I: the group is
// zeroed when sent and ignored when received). Fields a version has no room for keep their
// defaults when parsed and are not written when serialised.
struct Query {
    Version version = Version::V2;  // RFC 3376 §7.1: by length and max resp code
    Ipv4 group;                     // 0.0.0.0 = general query
    uint8_t max_resp_code = 100;    // tenths of a second (v3: RFC 3376 §4.1.1 exponential form)
    // v3 only (RFC 3376 §4.1.5 - §4.1.8):
    bool suppress_router_side = false;
    uint8_t qrv = 2;     // 0..7; 0 means the querier's robustness is above 7 (§4.1.6)
    uint8_t qqic = 125;  // seconds, §4.1.7 exponential form
    std::vector<Ipv4> sources;
    bool operator==(const Query&) const = default;
};

struct GroupRecord {
    RecordType type = RecordType::ModeIsExclude;
    Ipv4 group;
    std::vector<Ipv4> sources;
    // aux data (RFC 3376 §4.2.6, §4.2.10) is skipped, never kept; records of an unknown type
    // are skipped whole (§4.2.12), so a parsed report holds only the six types above
    bool operator==(const GroupRecord&) const = default;
};

// v1/v2 membership report: one group. v3 report: records.
struct Report {
    Version version = Version::V2;
    Ipv4 group;                        // v1/v2 (0.0.0.0 in a parsed v3 report)
    std::vector<GroupRecord> records;  // v3 (empty in a parsed v1/v2 report)
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
// Linux hands a raw IPPROTO_IGMP socket the header exactly as on the wire (total length in
// network order; checked against tcpdump captures), unlike the BSDs' host-order ip_len.
struct IpHeader {
    Ipv4 src;
    Ipv4 dst;
    uint8_t ttl = 0;
    uint8_t protocol = 0;
    bool router_alert = false;  // RFC 2113 option present (RFC 3376 §4 requires it for v3)
    size_t header_len = 0;
    bool operator==(const IpHeader&) const = default;
};

enum class ParseError {
    Truncated,       // shorter than the header or a count says
    BadIpHeader,     // IHL < 5, total length beyond the datagram, not IPv4, a malformed option
    NotIgmp,         // protocol is not 2
    BadChecksum,     // RFC 1071 sum over the IGMP message is not zero
    BadLength,       // a length that matches no IGMP message (e.g. a 9..11 byte query)
    TooManySources,  // a count above kMaxSources / kMaxRecords
};
std::string_view to_string(ParseError e);

struct Datagram {
    IpHeader ip;
    Message msg;
    bool operator==(const Datagram&) const = default;
};

// A whole IPv4 datagram as read from a raw IPPROTO_IGMP socket. Bytes past the IP total
// length (link padding) are ignored. The IP header checksum is not checked: the kernel has.
tl::expected<Datagram, ParseError> parse_datagram(std::span<const uint8_t> bytes);
// The IGMP message alone (after the IP header). Verifies the checksum.
tl::expected<Message, ParseError> parse_message(std::span<const uint8_t> bytes);

// RFC 3376 §7.1: a query's version from the IGMP message length and its max resp code;
// Truncated below 8 bytes, BadLength for 9..11 bytes (which the RFC says to ignore).
tl::expected<Version, ParseError> query_version(size_t length, uint8_t max_resp_code);

// Serialisers write the IGMP message only (the kernel builds the IP header; the socket sets
// the Router Alert option) with a correct checksum. They return false when out is too small
// or the message has no wire form that would read back the same: a v2 query with
// max_resp_code 0 (it would read as v1), a v1 query with one, sources in a v1/v2 query or
// records in a v1/v2 report, a qrv above 7, a record type outside 1..6, or more than
// kMaxSources sources / kMaxRecords records. Nothing is checked about addresses.
bool serialize(const Query& q, triplay::ByteWriter& out);
bool serialize(const Report& r, triplay::ByteWriter& out);
bool serialize(const Leave& l, triplay::ByteWriter& out);

// RFC 3376 §4.1.1 / §4.1.7: the 8-bit exponential code <-> its value (in units: tenths of a
// second for Max Resp Code, seconds for QQIC). Values < 128 are literal.
uint32_t decode_exp_code(uint8_t code);
uint8_t encode_exp_code(uint32_t value);  // rounds down; above 31744 gives 0xff (31744)

// The time a query gives hosts to answer: v1 means 10 s (RFC 2236 §4), v2 counts tenths
// (RFC 2236 §2.2), v3 its exponential code (RFC 3376 §4.1.1).
std::chrono::milliseconds max_resp_time(const Query& q);
// The querier's query interval a v3 query carries (RFC 3376 §4.1.7); none in v1/v2.
std::optional<std::chrono::seconds> query_interval(const Query& q);

}  // namespace igmp
