// SPDX-License-Identifier: GPL-2.0-or-later
#include "igmp_codec.h"

#include <algorithm>
#include <bit>

#include "checksum.h"

namespace igmp {

using triplay::ByteReader;
using triplay::ByteWriter;

std::string_view to_string(ParseError e) {
    switch (e) {
        case ParseError::Truncated:
            return "truncated";
        case ParseError::BadIpHeader:
            return "bad IPv4 header";
        case ParseError::NotIgmp:
            return "IP protocol is not IGMP";
        case ParseError::BadChecksum:
            return "bad IGMP checksum";
        case ParseError::BadLength:
            return "length matches no IGMP message";
        case ParseError::TooManySources:
            return "too many sources or records";
    }
    return "?";
}

namespace {

constexpr uint8_t kIpOptEol = 0;  // RFC 791 §3.1: end of option list
constexpr uint8_t kIpOptNop = 1;  // RFC 791 §3.1: no operation

// Reads n addresses; the caller checks r.ok().
std::vector<Ipv4> read_sources(ByteReader& r, size_t n) {
    std::vector<Ipv4> out;
    // Only as many as the bytes can hold: a lying count must not make us allocate.
    out.reserve(std::min(n, r.remaining() / 4));
    for (size_t i = 0; i < n && r.ok(); ++i) out.push_back(r.ipv4());
    return out;
}

bool known_record_type(uint8_t t) {
    // RFC 3376 §4.2.12: MODE_IS_INCLUDE (1) .. BLOCK_OLD_SOURCES (6).
    return t >= static_cast<uint8_t>(RecordType::ModeIsInclude) &&
           t <= static_cast<uint8_t>(RecordType::BlockOldSources);
}

tl::expected<Message, ParseError> parse_query(std::span<const uint8_t> bytes) {
    ByteReader r(bytes);
    r.skip(1);
    uint8_t code = r.u8();
    r.skip(2);
    Ipv4 group = r.ipv4();
    auto version = query_version(bytes.size(), code);
    if (!version) return tl::unexpected(version.error());

    Query q;
    q.version = *version;
    q.max_resp_code = code;
    // RFC 1112 App. I: a v1 query's group field is zeroed when sent and ignored on receipt.
    q.group = q.version == Version::V1 ? Ipv4() : group;
    if (q.version != Version::V3) return q;  // exactly 8 bytes (§7.1): nothing more to read

    uint8_t flags = r.u8();
    q.suppress_router_side = (flags & 0x08) != 0;  // RFC 3376 §4.1.5: S flag
    q.qrv = flags & 0x07;                          // §4.1.6; the Resv nibble is ignored (§4.1.4)
    q.qqic = r.u8();                               // §4.1.7
    size_t n = r.u16();                            // §4.1.8
    if (n > kMaxSources) return tl::unexpected(ParseError::TooManySources);
    q.sources = read_sources(r, n);  // §4.1.9
    if (!r.ok()) return tl::unexpected(ParseError::Truncated);
    return q;  // §4.1.10: additional data after the sources is ignored (the checksum covered it)
}

tl::expected<Message, ParseError> parse_v3_report(std::span<const uint8_t> bytes) {
    ByteReader r(bytes);
    r.skip(4);           // type, reserved (§4.2.1, ignored), checksum
    r.skip(2);           // reserved (§4.2.1)
    size_t m = r.u16();  // RFC 3376 §4.2.3: number of group records
    if (m > kMaxRecords) return tl::unexpected(ParseError::TooManySources);

    Report rep;
    rep.version = Version::V3;
    // Each record takes at least 8 bytes: never reserve more than the bytes can hold.
    rep.records.reserve(std::min(m, r.remaining() / 8));
    for (size_t i = 0; i < m; ++i) {
        uint8_t type = r.u8();      // §4.2.5
        size_t aux_words = r.u8();  // §4.2.6: aux data length in 32-bit words
        size_t n = r.u16();         // §4.2.7
        Ipv4 group = r.ipv4();      // §4.2.8
        if (!r.ok()) return tl::unexpected(ParseError::Truncated);
        if (n > kMaxSources) return tl::unexpected(ParseError::TooManySources);
        ByteReader src = r.sub(4 * n);  // §4.2.9
        r.skip(4 * aux_words);          // §4.2.10: IGMPv3 defines no aux data; skip it
        if (!r.ok()) return tl::unexpected(ParseError::Truncated);
        // §4.2.12: "Unrecognized Record Type values MUST be silently ignored" - the record
        // only; the records after it still count.
        if (!known_record_type(type)) continue;
        GroupRecord rec;
        rec.type = static_cast<RecordType>(type);
        rec.group = group;
        rec.sources = read_sources(src, n);
        rep.records.push_back(std::move(rec));
    }
    return rep;  // §4.2.11: bytes after the last record are ignored (the checksum covered them)
}

}  // namespace

tl::expected<Version, ParseError> query_version(size_t length, uint8_t max_resp_code) {
    // RFC 3376 §7.1: "IGMPv1 Query: length = 8 octets AND Max Resp Code field is zero;
    // IGMPv2 Query: length = 8 octets AND Max Resp Code field is non-zero; IGMPv3 Query:
    // length >= 12 octets. Query Messages that do not match any of the above conditions
    // (e.g., a Query of length 10 octets) MUST be silently ignored."
    if (length < kHeaderSize) return tl::unexpected(ParseError::Truncated);
    if (length == kHeaderSize) return max_resp_code == 0 ? Version::V1 : Version::V2;
    if (length >= kV3QueryMinSize) return Version::V3;
    return tl::unexpected(ParseError::BadLength);
}

tl::expected<Message, ParseError> parse_message(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderSize) return tl::unexpected(ParseError::Truncated);
    // RFC 2236 §2.3, RFC 3376 §4.1.2 / §4.2.2: the one's complement sum over the whole IGMP
    // message, extra bytes included (RFC 2236 §2.5, RFC 3376 §4.1.10 / §4.2.11), is 0xffff.
    if (triplay::internet_checksum(bytes) != 0) return tl::unexpected(ParseError::BadChecksum);

    ByteReader r(bytes);
    uint8_t type = r.u8();
    r.skip(3);  // max resp time: meaningless outside queries (RFC 2236 §2.2); checksum
    Ipv4 group = r.ipv4();
    // v1/v2 messages are 8 bytes; RFC 2236 §2.5: "an IGMPv2 implementation MUST ignore
    // anything past the first 8 octets while processing the packet".
    switch (static_cast<Type>(type)) {
        case Type::Query:
            return parse_query(bytes);
        case Type::V1Report:
            return Report{Version::V1, group, {}};  // RFC 1112 App. I
        case Type::V2Report:
            return Report{Version::V2, group, {}};  // RFC 2236 §2.1
        case Type::V2Leave:
            return Leave{group};  // RFC 2236 §2.1
        case Type::V3Report:
            return parse_v3_report(bytes);  // RFC 3376 §4.2
    }
    // DVMRP, PIMv1, mtrace and anything newer: not ours, but not an error either.
    return Other{type};
}

tl::expected<Datagram, ParseError> parse_datagram(std::span<const uint8_t> bytes) {
    // RFC 791 §3.1, in the order the fields come.
    ByteReader r(bytes);
    uint8_t version_ihl = r.u8();
    r.skip(1);  // type of service
    size_t total_len = r.u16();
    r.skip(4);  // identification, flags, fragment offset: the kernel reassembled already
    Datagram d;
    d.ip.ttl = r.u8();
    d.ip.protocol = r.u8();
    r.skip(2);  // header checksum: verified by the kernel before it delivered the datagram
    d.ip.src = r.ipv4();
    d.ip.dst = r.ipv4();
    if (!r.ok()) return tl::unexpected(ParseError::Truncated);
    if (version_ihl >> 4 != 4) return tl::unexpected(ParseError::BadIpHeader);
    d.ip.header_len = size_t{version_ihl & 0x0fu} * 4;  // IHL counts 32-bit words
    if (d.ip.header_len < kIpMinHeader) return tl::unexpected(ParseError::BadIpHeader);
    // Total length covers header and data; anything after it is link-layer padding.
    if (total_len < d.ip.header_len || total_len > bytes.size())
        return tl::unexpected(ParseError::BadIpHeader);
    if (d.ip.protocol != kIpProtoIgmp) return tl::unexpected(ParseError::NotIgmp);

    // RFC 791 §3.1 options: EOL ends the list (the rest is padding), NOP is one byte, every
    // other option is type, length (counting both), data.
    ByteReader opts(bytes.subspan(kIpMinHeader, d.ip.header_len - kIpMinHeader));
    while (!opts.at_end()) {
        uint8_t type = opts.u8();
        if (type == kIpOptEol) break;
        if (type == kIpOptNop) continue;
        size_t len = opts.u8();
        if (!opts.ok() || len < 2) return tl::unexpected(ParseError::BadIpHeader);
        auto data = opts.bytes(len - 2);
        if (!opts.ok()) return tl::unexpected(ParseError::BadIpHeader);
        if (type == kIpOptRouterAlert) {
            // RFC 2113 §2.1: length 4, value 0 "Router shall examine packet"; other values
            // are reserved and alert nothing (as Linux's ip_options_compile reads them).
            if (len != 4) return tl::unexpected(ParseError::BadIpHeader);
            if (data[0] == 0 && data[1] == 0) d.ip.router_alert = true;
        }
    }

    auto msg = parse_message(bytes.subspan(d.ip.header_len, total_len - d.ip.header_len));
    if (!msg) return tl::unexpected(msg.error());
    d.msg = std::move(*msg);
    return d;
}

namespace {

// Writes the RFC 1071 checksum of everything written since start into its field (bytes 2-3,
// written as zero).
bool finish(ByteWriter& out, size_t start) {
    if (!out.ok()) return false;
    out.patch_u16(start + 2, triplay::internet_checksum(out.written().subspan(start)));
    return out.ok();
}

}  // namespace

bool serialize(const Query& q, ByteWriter& out) {
    uint8_t code = q.max_resp_code;
    switch (q.version) {
        case Version::V1:
            if (code != 0 || !q.sources.empty()) return false;
            break;
        case Version::V2:
            // RFC 3376 §7.1: an 8-byte query with code 0 is a v1 query.
            if (code == 0 || !q.sources.empty()) return false;
            break;
        case Version::V3:
            if (q.qrv > 7 || q.sources.size() > kMaxSources) return false;
            break;
        default:
            return false;
    }
    size_t start = out.size();
    out.u8(static_cast<uint8_t>(Type::Query));
    out.u8(code);
    out.u16(0);  // checksum
    // RFC 1112 App. I: a v1 query's group field is zeroed when sent.
    out.ipv4(q.version == Version::V1 ? Ipv4() : q.group);
    if (q.version == Version::V3) {
        // RFC 3376 §4.1.4 - §4.1.8: Resv (zero), S, QRV; QQIC; number of sources.
        out.u8(static_cast<uint8_t>((q.suppress_router_side ? 0x08 : 0) | q.qrv));
        out.u8(q.qqic);
        out.u16(static_cast<uint16_t>(q.sources.size()));
        for (Ipv4 s : q.sources) out.ipv4(s);
    }
    return finish(out, start);
}

bool serialize(const Report& rep, ByteWriter& out) {
    size_t start = out.size();
    switch (rep.version) {
        case Version::V1:
        case Version::V2:
            if (!rep.records.empty()) return false;
            out.u8(
                static_cast<uint8_t>(rep.version == Version::V1 ? Type::V1Report : Type::V2Report));
            out.u8(0);   // RFC 2236 §2.2: max resp time is zero in reports
            out.u16(0);  // checksum
            out.ipv4(rep.group);
            return finish(out, start);
        case Version::V3:
            break;
        default:
            return false;
    }
    if (rep.records.size() > kMaxRecords) return false;
    for (const auto& rec : rep.records) {
        if (!known_record_type(static_cast<uint8_t>(rec.type))) return false;
        if (rec.sources.size() > kMaxSources) return false;
    }
    out.u8(static_cast<uint8_t>(Type::V3Report));
    out.u8(0);   // reserved (RFC 3376 §4.2.1)
    out.u16(0);  // checksum
    out.u16(0);  // reserved
    out.u16(static_cast<uint16_t>(rep.records.size()));
    for (const auto& rec : rep.records) {
        out.u8(static_cast<uint8_t>(rec.type));
        out.u8(0);  // RFC 3376 §4.2.6: no aux data
        out.u16(static_cast<uint16_t>(rec.sources.size()));
        out.ipv4(rec.group);
        for (Ipv4 s : rec.sources) out.ipv4(s);
    }
    return finish(out, start);
}

bool serialize(const Leave& l, ByteWriter& out) {
    size_t start = out.size();
    out.u8(static_cast<uint8_t>(Type::V2Leave));
    out.u8(0);   // RFC 2236 §2.2: max resp time is zero outside queries
    out.u16(0);  // checksum
    out.ipv4(l.group);
    return finish(out, start);
}

uint32_t decode_exp_code(uint8_t code) {
    // RFC 3376 §4.1.1 (and §4.1.7 for QQIC): below 128 the code is the value; otherwise
    // |1| exp(3) | mant(4) | stands for (mant | 0x10) << (exp + 3).
    if (code < 0x80) return code;
    uint32_t mant = code & 0x0fu;
    uint32_t exp = (code >> 4) & 0x07u;
    return (mant | 0x10u) << (exp + 3);
}

uint8_t encode_exp_code(uint32_t value) {
    if (value < 0x80) return static_cast<uint8_t>(value);
    constexpr uint32_t kMax = 0x1fu << 10;  // mant 15, exp 7: 31744
    if (value >= kMax) return 0xff;
    // The highest set bit is bit (exp + 7): mant | 0x10 is the five bits from there down.
    auto exp = static_cast<uint32_t>(std::bit_width(value)) - 8;
    uint32_t mant = (value >> (exp + 3)) & 0x0fu;  // dropping the low bits rounds down
    return static_cast<uint8_t>(0x80u | exp << 4 | mant);
}

std::chrono::milliseconds max_resp_time(const Query& q) {
    using std::chrono::milliseconds;
    switch (q.version) {
        case Version::V1:
            return milliseconds(10'000);  // RFC 2236 §4: "a value of 100"
        case Version::V2:
            return milliseconds(100 * q.max_resp_code);  // RFC 2236 §2.2
        case Version::V3:
            break;
    }
    return milliseconds(100 * int64_t{decode_exp_code(q.max_resp_code)});  // RFC 3376 §4.1.1
}

std::optional<std::chrono::seconds> query_interval(const Query& q) {
    if (q.version != Version::V3) return std::nullopt;
    return std::chrono::seconds(decode_exp_code(q.qqic));  // RFC 3376 §4.1.7
}

}  // namespace igmp
