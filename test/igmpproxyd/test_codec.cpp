// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>
#include <set>

#include "captures.h"
#include "checksum.h"
#include "igmp_codec.h"

using namespace igmp;
using igmp::test::unhex;
using triplay::Ipv4;
using Bytes = std::vector<uint8_t>;

namespace {

// The IGMP message of a captured datagram (every capture has a 24-byte header: RA option).
Bytes message_of(std::string_view hex) {
    auto d = unhex(hex);
    return Bytes(d.begin() + 24, d.end());
}

// Writes a correct checksum into an IGMP message (after the test changed it).
Bytes fix_checksum(Bytes m) {
    if (m.size() < 4) return m;
    m[2] = m[3] = 0;
    uint16_t c = triplay::internet_checksum(m);
    m[2] = static_cast<uint8_t>(c >> 8);
    m[3] = static_cast<uint8_t>(c);
    return m;
}

// An IPv4 datagram around msg: 10.0.0.2 > 224.0.0.22, TTL 1, the given options (a multiple of
// 4 bytes) and protocol. The IP header checksum is left zero: the codec does not read it.
Bytes datagram(const Bytes& options, const Bytes& msg, uint8_t protocol = 2) {
    size_t hlen = 20 + options.size();
    size_t total = hlen + msg.size();
    // clang-format off
    Bytes d = {static_cast<uint8_t>(0x40 | hlen / 4), 0xc0,  // version 4, IHL; TOS
               static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total),
               0, 0, 0x40, 0,                 // identification; DF, fragment offset 0
               1, protocol, 0, 0,             // TTL, protocol, header checksum
               10, 0, 0, 2,                   // source
               224, 0, 0, 22};                // destination
    // clang-format on
    d.insert(d.end(), options.begin(), options.end());
    d.insert(d.end(), msg.begin(), msg.end());
    return d;
}

const Bytes kRouterAlert = {0x94, 0x04, 0x00, 0x00};

template <typename T>
const T& as(const Message& m) {
    REQUIRE(std::holds_alternative<T>(m));
    return std::get<T>(m);
}

Bytes serialized(const Message& m) {
    Bytes out(70000);
    triplay::ByteWriter w(out);
    bool ok = std::visit(
        [&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Other>)
                return false;
            else
                return serialize(v, w);
        },
        m);
    REQUIRE(ok);
    return Bytes(w.written().begin(), w.written().end());
}

}  // namespace

// ---------------------------------------------------------------- captures decode

TEST_CASE("codec: every capture's IP header: RA option, TTL 1, protocol 2, 24 bytes") {
    for (auto hex : test::kAllCaptures) {
        INFO(hex);
        auto d = parse_datagram(unhex(hex));
        REQUIRE(d);
        CHECK(d->ip.header_len == 24);
        CHECK(d->ip.ttl == 1);
        CHECK(d->ip.protocol == 2);
        CHECK(d->ip.router_alert);  // RFC 2236 §2, RFC 3376 §4: every IGMP message carries it
    }
}

TEST_CASE("codec: v1 and v2 reports and the v2 leave") {
    auto v1 = parse_datagram(unhex(test::kV1Report));
    REQUIRE(v1);
    CHECK(v1->ip.src == Ipv4(10, 99, 0, 2));
    CHECK(v1->ip.dst == Ipv4(239, 0, 1, 5));
    CHECK(as<Report>(v1->msg) == Report{Version::V1, Ipv4(239, 0, 1, 5), {}});

    auto v2 = parse_datagram(unhex(test::kV2Report));
    REQUIRE(v2);
    CHECK(as<Report>(v2->msg) == Report{Version::V2, Ipv4(239, 0, 1, 1), {}});

    auto leave = parse_datagram(unhex(test::kV2Leave));
    REQUIRE(leave);
    CHECK(leave->ip.dst == kAllRouters);
    CHECK(as<Leave>(leave->msg) == Leave{Ipv4(239, 0, 1, 1)});
}

TEST_CASE("codec: v2 general and group-specific queries") {
    auto g = parse_datagram(unhex(test::kV2GeneralQuery));
    REQUIRE(g);
    CHECK(g->ip.src == Ipv4(10, 99, 0, 1));
    CHECK(g->ip.dst == kAllSystems);
    const auto& q = as<Query>(g->msg);
    CHECK(q.version == Version::V2);
    CHECK(q.group == Ipv4());
    CHECK(q.max_resp_code == 20);
    CHECK(max_resp_time(q) == std::chrono::seconds(2));
    CHECK_FALSE(query_interval(q));

    auto s = parse_datagram(unhex(test::kV2GroupQuery));
    REQUIRE(s);
    CHECK(as<Query>(s->msg).group == Ipv4(239, 0, 1, 7));
    CHECK(max_resp_time(as<Query>(s->msg)) == std::chrono::milliseconds(500));
}

TEST_CASE("codec: v3 general, group and group-and-source queries") {
    auto g = parse_message(message_of(test::kV3GeneralQuery));
    REQUIRE(g);
    const auto& q = as<Query>(*g);
    CHECK(q.version == Version::V3);
    CHECK(q.group == Ipv4());
    CHECK(q.max_resp_code == 20);
    CHECK_FALSE(q.suppress_router_side);
    CHECK(q.qrv == 2);
    CHECK(q.qqic == 3);
    CHECK(q.sources.empty());
    CHECK(max_resp_time(q) == std::chrono::seconds(2));
    CHECK(query_interval(q) == std::chrono::seconds(3));

    auto gq = parse_message(message_of(test::kV3GroupQuery));
    REQUIRE(gq);
    CHECK(as<Query>(*gq).group == Ipv4(239, 0, 1, 4));
    CHECK_FALSE(as<Query>(*gq).suppress_router_side);

    auto sq = parse_message(message_of(test::kV3GroupQuerySFlag));
    REQUIRE(sq);
    CHECK(as<Query>(*sq).suppress_router_side);  // RFC 3376 §6.6.3.1 retransmission
    CHECK(as<Query>(*sq).qrv == 2);

    auto gsq = parse_message(message_of(test::kV3GroupSourceQuery));
    REQUIRE(gsq);
    CHECK(as<Query>(*gsq).group == Ipv4(239, 0, 1, 3));
    CHECK(as<Query>(*gsq).sources == std::vector{Ipv4(10, 99, 0, 10), Ipv4(10, 99, 0, 9)});
}

TEST_CASE("codec: codes of 128 and more are read in exponential form, as the wire says") {
    auto m = parse_message(message_of(test::kV3QueryRawCodes));
    REQUIRE(m);
    const auto& q = as<Query>(*m);
    CHECK(q.max_resp_code == 0xfa);
    CHECK(q.qqic == 0xc8);
    CHECK(max_resp_time(q) == std::chrono::milliseconds(2'662'400));  // tcpdump: 44m22s
    CHECK(query_interval(q) == std::chrono::seconds(3072));
}

TEST_CASE("codec: v3 reports with every record type") {
    using RT = RecordType;
    auto groups = parse_datagram(unhex(test::kV3ReportRouterGroups));
    REQUIRE(groups);
    CHECK(groups->ip.dst == kAllV3Routers);
    CHECK(as<Report>(groups->msg) == Report{Version::V3,
                                            {},
                                            {{RT::ChangeToExclude, kAllV3Routers, {}},
                                             {RT::ChangeToExclude, kAllRouters, {}}}});

    struct Row {
        std::string_view hex;
        std::vector<GroupRecord> want;
    };
    Ipv4 s9(10, 99, 0, 9), s10(10, 99, 0, 10), s66(10, 99, 0, 66);
    Ipv4 g2(239, 0, 1, 2), g3(239, 0, 1, 3), g4(239, 0, 1, 4);
    std::vector<Row> rows = {
        {test::kV3ReportJoin, {{RT::ChangeToExclude, g2, {}}}},
        {test::kV3ReportAllow, {{RT::AllowNewSources, g3, {s9}}}},
        {test::kV3ReportBlock, {{RT::BlockOldSources, g3, {s10, s9}}}},
        {test::kV3ReportLeave, {{RT::ChangeToInclude, g4, {}}}},
        {test::kV3ReportChanges,
         {{RT::ChangeToExclude, g4, {s66}},
          {RT::AllowNewSources, g3, {s9, s10}},
          {RT::ChangeToExclude, g2, {}}}},
        {test::kV3ReportCurrentState,
         {{RT::ModeIsExclude, g4, {s66}},
          {RT::ModeIsInclude, g3, {s9, s10}},
          {RT::ModeIsExclude, g2, {}}}},
    };
    for (const auto& row : rows) {
        INFO(row.hex);
        auto d = parse_datagram(unhex(row.hex));
        REQUIRE(d);
        CHECK(d->ip.src == Ipv4(10, 99, 0, 2));
        const auto& r = as<Report>(d->msg);
        CHECK(r.version == Version::V3);
        CHECK(r.records == row.want);
    }
}

// ---------------------------------------------------------------- round trips

TEST_CASE("codec: every capture re-serialises byte for byte") {
    for (auto hex : test::kAllCaptures) {
        INFO(hex);
        auto d = parse_datagram(unhex(hex));
        REQUIRE(d);
        CHECK(serialized(d->msg) == message_of(hex));
    }
}

TEST_CASE("codec: messages built from structs match the kernel's bytes") {
    Bytes out(64);
    triplay::ByteWriter w(out);
    Query q;
    q.version = Version::V3;
    q.group = Ipv4(239, 0, 1, 3);
    q.max_resp_code = 5;
    q.qqic = 3;
    q.sources = {Ipv4(10, 99, 0, 10), Ipv4(10, 99, 0, 9)};
    REQUIRE(serialize(q, w));
    CHECK(Bytes(w.written().begin(), w.written().end()) == message_of(test::kV3GroupSourceQuery));

    triplay::ByteWriter w2(out);
    REQUIRE(serialize(Leave{Ipv4(239, 0, 1, 1)}, w2));
    CHECK(Bytes(w2.written().begin(), w2.written().end()) == message_of(test::kV2Leave));
}

TEST_CASE("codec: the caps themselves round-trip") {
    Query q;
    q.version = Version::V3;
    for (size_t i = 0; i < kMaxSources; ++i) q.sources.push_back(Ipv4(static_cast<uint32_t>(i)));
    auto qm = parse_message(serialized(q));
    REQUIRE(qm);
    CHECK(as<Query>(*qm) == q);

    Report r{Version::V3, {}, {}};
    for (size_t i = 0; i < kMaxRecords; ++i)
        r.records.push_back({RecordType::AllowNewSources, Ipv4(239, 0, 0, 1), {Ipv4(10, 0, 0, 1)}});
    auto rm = parse_message(serialized(r));
    REQUIRE(rm);
    CHECK(as<Report>(*rm) == r);
}

// ---------------------------------------------------------------- malformed input

TEST_CASE("codec: every truncation of every capture is refused") {
    for (auto hex : test::kAllCaptures) {
        INFO(hex);
        auto d = unhex(hex);
        for (size_t n = 0; n < d.size(); ++n) {
            INFO(n);
            auto p = parse_datagram(std::span(d).first(n));
            REQUIRE_FALSE(p);
            // Below 20 bytes there is no header; after that the total length lies.
            CHECK(p.error() == (n < 20 ? ParseError::Truncated : ParseError::BadIpHeader));
        }
        auto m = message_of(hex);
        for (size_t n = 0; n < m.size(); ++n) {
            INFO(n);
            auto p = parse_message(std::span(m).first(n));
            if (n < kHeaderSize) {
                REQUIRE_FALSE(p);
                CHECK(p.error() == ParseError::Truncated);
            }
            // Even with a checksum that fits the shorter bytes, what the counts promise is
            // missing. The one exception is RFC 3376 §7.1: 8 bytes of a v3 query are a v2 one.
            auto fixed = fix_checksum(Bytes(m.begin(), m.begin() + static_cast<long>(n)));
            auto f = parse_message(fixed);
            if (m[0] == 0x11 && n == kHeaderSize) {
                REQUIRE(f);
                CHECK(as<Query>(*f).version == Version::V2);
            } else {
                CHECK_FALSE(f);
            }
        }
    }
}

TEST_CASE("codec: malformed messages, one row per class") {
    auto v3q = message_of(test::kV3GroupSourceQuery);  // N = 2
    auto v3r = message_of(test::kV3ReportChanges);     // M = 3
    auto with = [](Bytes m, size_t at, std::initializer_list<uint8_t> b) {
        std::copy(b.begin(), b.end(), m.begin() + static_cast<long>(at));
        return fix_checksum(m);
    };
    auto cut = [](Bytes m, size_t n) {
        m.resize(n);
        return fix_checksum(m);
    };
    auto bad_sum = message_of(test::kV3ReportChanges);
    bad_sum[9] ^= 0x01;
    auto zero_sum = message_of(test::kV2Report);
    zero_sum[2] = zero_sum[3] = 0;
    struct Row {
        const char* what;
        Bytes bytes;
        ParseError want;
    };
    std::vector<Row> rows = {
        {"empty", {}, ParseError::Truncated},
        {"7 bytes", cut(message_of(test::kV2Report), 7), ParseError::Truncated},
        {"checksum off by one bit", bad_sum, ParseError::BadChecksum},
        {"checksum zeroed", zero_sum, ParseError::BadChecksum},
        {"9-byte query", cut(v3q, 9), ParseError::BadLength},
        {"10-byte query", cut(v3q, 10), ParseError::BadLength},
        {"11-byte query", cut(v3q, 11), ParseError::BadLength},
        {"query with 65535 sources", with(v3q, 10, {0xff, 0xff}), ParseError::TooManySources},
        {"query with kMaxSources + 1", with(v3q, 10, {0x04, 0x01}), ParseError::TooManySources},
        {"query with 3 sources, 2 present", with(v3q, 10, {0x00, 0x03}), ParseError::Truncated},
        {"report with 65535 records", with(v3r, 6, {0xff, 0xff}), ParseError::TooManySources},
        {"report with kMaxRecords + 1", with(v3r, 6, {0x04, 0x01}), ParseError::TooManySources},
        {"record count beyond the data", with(v3r, 6, {0x00, 0x04}), ParseError::Truncated},
        {"record with 65535 sources", with(v3r, 10, {0xff, 0xff}), ParseError::TooManySources},
        {"last record's source count beyond the data", with(v3r, 38, {0x00, 0x01}),
         ParseError::Truncated},
        {"aux data beyond the data", with(v3r, 37, {0x01}), ParseError::Truncated},
        {"aux data 255 words", with(v3r, 9, {0xff}), ParseError::Truncated},
        {"record header cut", cut(v3r, 40), ParseError::Truncated},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto p = parse_message(row.bytes);
        REQUIRE_FALSE(p);
        CHECK(p.error() == row.want);
        CHECK_FALSE(to_string(p.error()).empty());
    }
}

TEST_CASE("codec: malformed IP headers, one row per class") {
    auto msg = message_of(test::kV2Report);
    auto good = datagram(kRouterAlert, msg);
    REQUIRE(parse_datagram(good));
    auto set = [&](size_t at, uint8_t v) {
        auto d = good;
        d[at] = v;
        return d;
    };
    struct Row {
        const char* what;
        Bytes bytes;
        ParseError want;
    };
    std::vector<Row> rows = {
        {"empty", {}, ParseError::Truncated},
        {"19 bytes", Bytes(good.begin(), good.begin() + 19), ParseError::Truncated},
        {"IPv6 version nibble", set(0, 0x66), ParseError::BadIpHeader},
        {"IHL 4", set(0, 0x44), ParseError::BadIpHeader},
        {"IHL 0", set(0, 0x40), ParseError::BadIpHeader},
        // Options would start at byte 20 with an EOL: only the IHL check can refuse it.
        {"IHL 4 before an EOL",
         [&] {
             auto d = datagram({}, fix_checksum({0, 0, 0, 0, 0, 0, 0, 0}));
             d[0] = 0x44;
             return d;
         }(),
         ParseError::BadIpHeader},
        {"IHL 15, beyond the total length", set(0, 0x4f), ParseError::BadIpHeader},
        {"total length one past the datagram", set(3, 33), ParseError::BadIpHeader},
        {"total length 65535",
         [&] {
             auto d = set(2, 0xff);
             d[3] = 0xff;
             return d;
         }(),
         ParseError::BadIpHeader},
        {"total length below the header", set(3, 20), ParseError::BadIpHeader},
        {"UDP", set(9, 17), ParseError::NotIgmp},
        {"option length 0", datagram({0x07, 0x00, 0x00, 0x00}, msg), ParseError::BadIpHeader},
        {"option length 1", datagram({0x07, 0x01, 0x00, 0x00}, msg), ParseError::BadIpHeader},
        {"option length past the header", datagram({0x07, 0x08, 0x00, 0x00}, msg),
         ParseError::BadIpHeader},
        {"option length byte missing", datagram({0x01, 0x01, 0x01, 0x07}, msg),
         ParseError::BadIpHeader},
        {"router alert of length 3", datagram({0x94, 0x03, 0x00, 0x00}, msg),
         ParseError::BadIpHeader},
        {"router alert of length 6",
         datagram({0x94, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, msg), ParseError::BadIpHeader},
        {"bad IGMP checksum",
         [&] {
             auto d = good;
             d.back() ^= 1;
             return d;
         }(),
         ParseError::BadChecksum},
        {"message shorter than 8", datagram(kRouterAlert, Bytes(msg.begin(), msg.begin() + 6)),
         ParseError::Truncated},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto p = parse_datagram(row.bytes);
        REQUIRE_FALSE(p);
        CHECK(p.error() == row.want);
    }
}

// ---------------------------------------------------------------- accepted oddities

TEST_CASE("codec: IP options are walked: NOP, EOL padding, unknown options, no options") {
    auto msg = message_of(test::kV2Report);
    struct Row {
        const char* what;
        Bytes options;
        bool alert;
    };
    std::vector<Row> rows = {
        {"none", {}, false},
        {"NOPs then RA", {0x01, 0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00}, true},
        {"EOL then junk (padding)", {0x00, 0xff, 0x00, 0x07}, false},
        {"RA then EOL", {0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, true},
        {"unknown option then RA", {0x88, 0x04, 0x12, 0x34, 0x94, 0x04, 0x00, 0x00}, true},
        {"RA with a reserved value alerts nothing (RFC 2113 §2.1)",
         {0x94, 0x04, 0x00, 0x01},
         false},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto d = parse_datagram(datagram(row.options, msg));
        REQUIRE(d);
        CHECK(d->ip.router_alert == row.alert);
        CHECK(d->ip.header_len == 20 + row.options.size());
        CHECK(as<Report>(d->msg).group == Ipv4(239, 0, 1, 1));
    }
}

TEST_CASE("codec: bytes past the IP total length are padding") {
    auto d = unhex(test::kV2Leave);
    d.insert(d.end(), {0xde, 0xad, 0xbe, 0xef});
    auto p = parse_datagram(d);
    REQUIRE(p);
    CHECK(as<Leave>(p->msg).group == Ipv4(239, 0, 1, 1));
}

TEST_CASE("codec: extra bytes after a message are covered by the checksum, then ignored") {
    // RFC 2236 §2.5 (v1/v2), RFC 3376 §4.1.10 (v3 query), §4.2.11 (v3 report). Odd lengths
    // too: the checksum pads the last byte (RFC 1071 §4.1).
    for (auto hex : {test::kV1Report, test::kV2Report, test::kV2Leave, test::kV3GroupSourceQuery,
                     test::kV3ReportChanges}) {
        INFO(hex);
        auto m = message_of(hex);
        auto want = parse_message(m);
        REQUIRE(want);
        for (size_t extra : {1, 3, 4, 9}) {
            INFO(extra);
            auto longer = m;
            for (size_t i = 0; i < extra; ++i) longer.push_back(static_cast<uint8_t>(0x5a + i));
            CHECK_FALSE(parse_message(longer));  // the checksum no longer fits
            auto p = parse_message(fix_checksum(longer));
            REQUIRE(p);
            CHECK(*p == *want);
        }
    }
    // Not so for queries: RFC 3376 §7.1 makes a 9..11-byte query no query at all and a
    // longer one a v3 query.
    auto q = message_of(test::kV2GroupQuery);
    q.push_back(0x02);
    auto p9 = parse_message(fix_checksum(q));
    REQUIRE_FALSE(p9);
    CHECK(p9.error() == ParseError::BadLength);
    q.insert(q.end(), {0x03, 0x00, 0x00});
    auto p12 = parse_message(fix_checksum(q));
    REQUIRE(p12);
    CHECK(as<Query>(*p12).version == Version::V3);
    CHECK(as<Query>(*p12).group == Ipv4(239, 0, 1, 7));
}

TEST_CASE("codec: a v1 query (8 bytes, code 0) has no group and means 10 s") {
    auto p = parse_message(fix_checksum({0x11, 0x00, 0, 0, 239, 1, 2, 3}));
    REQUIRE(p);
    const auto& q = as<Query>(*p);
    CHECK(q.version == Version::V1);
    CHECK(q.group == Ipv4());  // RFC 1112 App. I: ignored on receipt
    CHECK(max_resp_time(q) == std::chrono::seconds(10));
    CHECK(serialized(q) == fix_checksum({0x11, 0x00, 0, 0, 0, 0, 0, 0}));
}

TEST_CASE("codec: unknown record types and aux data are skipped, the rest is kept") {
    // RFC 3376 §4.2.12: unrecognised record types are ignored; §4.2.10: aux data too.
    // clang-format off
    Bytes m = {0x22, 0, 0, 0, 0, 0, 0, 4,                            // 4 records
               0x07, 0, 0, 1, 239, 0, 0, 7, 10, 0, 0, 7,             // type 7: skipped
               0x05, 2, 0, 1, 239, 0, 0, 5, 10, 0, 0, 5,             // ALLOW, 2 aux words
               0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb,       //   the aux data
               0x00, 1, 0, 0, 239, 0, 0, 0, 0xcc, 0xcc, 0xcc, 0xcc,  // type 0, aux: skipped
               0x04, 0, 0, 0, 239, 0, 0, 4};                         // TO_EX {}
    // clang-format on
    auto p = parse_message(fix_checksum(m));
    REQUIRE(p);
    const auto& r = as<Report>(*p);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0] ==
          GroupRecord{RecordType::AllowNewSources, Ipv4(239, 0, 0, 5), {Ipv4(10, 0, 0, 5)}});
    CHECK(r.records[1] == GroupRecord{RecordType::ChangeToExclude, Ipv4(239, 0, 0, 4), {}});
    // An unknown type with an absurd source count is still refused: it cannot be skipped.
    Bytes absurd = {0x22, 0, 0, 0, 0, 0, 0, 1, 0x09, 0, 0xff, 0xff, 239, 0, 0, 9};
    auto a = parse_message(fix_checksum(absurd));
    REQUIRE_FALSE(a);
    CHECK(a.error() == ParseError::TooManySources);
}

TEST_CASE("codec: other IGMP types are named, not errors") {
    for (uint8_t type : std::initializer_list<uint8_t>{0x13, 0x14, 0x1e, 0x1f, 0x00, 0xff}) {
        auto p = parse_message(fix_checksum({type, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}));
        REQUIRE(p);
        CHECK(as<Other>(*p).type == type);
    }
}

// ---------------------------------------------------------------- serialisers

TEST_CASE("codec: serialisers refuse what has no faithful wire form") {
    Bytes out(64);
    auto refuses = [&](const auto& m) {
        triplay::ByteWriter w(out);
        return !serialize(m, w);
    };
    Query v2_zero;
    v2_zero.max_resp_code = 0;  // RFC 3376 §7.1: would read back as v1
    CHECK(refuses(v2_zero));
    Query v1_code;
    v1_code.version = Version::V1;
    v1_code.max_resp_code = 100;
    CHECK(refuses(v1_code));
    Query v2_sources;
    v2_sources.sources = {Ipv4(10, 0, 0, 1)};
    CHECK(refuses(v2_sources));
    Query v3_qrv;
    v3_qrv.version = Version::V3;
    v3_qrv.qrv = 8;  // three bits (RFC 3376 §4.1.6)
    CHECK(refuses(v3_qrv));
    Query v3_many;
    v3_many.version = Version::V3;
    v3_many.sources.resize(kMaxSources + 1);
    CHECK(refuses(v3_many));
    CHECK(refuses(Report{Version::V2, {}, {{RecordType::ModeIsInclude, {}, {}}}}));
    CHECK(refuses(Report{Version::V3, {}, {{static_cast<RecordType>(7), {}, {}}}}));
    CHECK(refuses(Report{Version::V3, {}, {{static_cast<RecordType>(0), {}, {}}}}));
    Report too_many{Version::V3, {}, {}};
    too_many.records.resize(kMaxRecords + 1);
    CHECK(refuses(too_many));
    Report too_many_sources{Version::V3, {}, {{RecordType::ModeIsInclude, {}, {}}}};
    too_many_sources.records[0].sources.resize(kMaxSources + 1);
    CHECK(refuses(too_many_sources));
    CHECK(refuses(Report{static_cast<Version>(4), {}, {}}));
}

TEST_CASE("codec: serialisers report a buffer that is too small") {
    Bytes small(7);
    triplay::ByteWriter w(small);
    CHECK_FALSE(serialize(Leave{Ipv4(239, 0, 0, 1)}, w));
    triplay::ByteWriter w2(small);
    CHECK_FALSE(serialize(Report{Version::V2, Ipv4(239, 0, 0, 1), {}}, w2));
    Bytes eleven(11);
    triplay::ByteWriter w3(eleven);
    Query q;
    q.version = Version::V3;
    CHECK_FALSE(serialize(q, w3));
    Bytes fifteen(15);
    triplay::ByteWriter w4(fifteen);
    CHECK_FALSE(serialize(Report{Version::V3, {}, {{RecordType::ModeIsInclude, {}, {}}}}, w4));
}

TEST_CASE("codec: serialising after other bytes checksums only the message") {
    Bytes out(64, 0xee);
    triplay::ByteWriter w(out);
    w.u32(0x01020304);
    REQUIRE(serialize(Report{Version::V2, Ipv4(239, 0, 1, 1), {}}, w));
    auto all = w.written();
    CHECK(Bytes(all.begin() + 4, all.end()) == message_of(test::kV2Report));
}

// ---------------------------------------------------------------- exponential codes

TEST_CASE("codec: RFC 3376 §4.1.1 exponential codes") {
    struct Row {
        uint8_t code;
        uint32_t value;
    };
    for (auto [code, value] : std::vector<Row>{{0, 0},
                                               {1, 1},
                                               {100, 100},
                                               {127, 127},
                                               {0x80, 128},       // mant 0, exp 0
                                               {0x8f, 248},       // mant 15, exp 0
                                               {0x90, 256},       // mant 0, exp 1
                                               {0xfa, 26624},     // mant 10, exp 7
                                               {0xff, 31744}}) {  // the largest
        INFO(int{code});
        CHECK(decode_exp_code(code) == value);
        CHECK(encode_exp_code(value) == code);
    }
    // Every code is its own round trip; every value rounds down to the nearest code.
    for (int c = 0; c < 256; ++c) {
        CHECK(encode_exp_code(decode_exp_code(static_cast<uint8_t>(c))) == c);
    }
    std::set<uint32_t> codes;
    for (uint32_t v = 0; v < 40000; ++v) {
        uint8_t c = encode_exp_code(v);
        REQUIRE(decode_exp_code(c) <= v);
        if (c < 0xff) REQUIRE(decode_exp_code(static_cast<uint8_t>(c + 1)) > v);
        codes.insert(c);
    }
    CHECK(codes.size() == 256);
    CHECK(encode_exp_code(250) == 0x8f);  // 25 s: 24.8 s is the nearest below
    CHECK(encode_exp_code(UINT32_MAX) == 0xff);
}

TEST_CASE("codec: query_version follows RFC 3376 §7.1") {
    CHECK(query_version(8, 0) == Version::V1);
    CHECK(query_version(8, 1) == Version::V2);
    CHECK(query_version(12, 0) == Version::V3);
    CHECK(query_version(65535, 100) == Version::V3);
    for (size_t n : {9, 10, 11}) CHECK(query_version(n, 100).error() == ParseError::BadLength);
    for (size_t n : {0, 4, 7}) CHECK(query_version(n, 100).error() == ParseError::Truncated);
}

TEST_CASE("codec: every ParseError has a distinct name") {
    std::set<std::string_view> names;
    for (auto e : {ParseError::Truncated, ParseError::BadIpHeader, ParseError::NotIgmp,
                   ParseError::BadChecksum, ParseError::BadLength, ParseError::TooManySources})
        names.insert(to_string(e));
    CHECK(names.size() == 6);
}
