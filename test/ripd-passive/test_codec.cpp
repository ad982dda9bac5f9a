// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "captures.h"
#include "rip_auth.h"
#include "rip_codec.h"

using namespace ripd;
using ripd::test::unhex;
using triplay::Ipv4;

TEST_CASE("codec: BIRD's plain Response decodes to its three routes") {
    auto bytes = unhex(test::kBirdResponse);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(p->command == 2);
    CHECK(p->version == 2);
    CHECK(std::holds_alternative<std::monostate>(p->auth));
    REQUIRE(p->entries.size() == 3);
    CHECK(p->entries[0] == Rte{2, 0, Ipv4(172, 26, 23, 4), Ipv4(255, 255, 255, 255), Ipv4(), 1});
    CHECK(p->entries[1] == Rte{2, 0, Ipv4(172, 26, 22, 0), Ipv4(255, 255, 255, 192), Ipv4(), 1});
    CHECK(p->entries[2] == Rte{2, 0, Ipv4(172, 26, 80, 0), Ipv4(255, 255, 248, 0), Ipv4(), 1});
}

TEST_CASE("codec: whole-table Request") {
    auto bytes = unhex(test::kBirdRequest);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(p->command == 1);
    REQUIRE(p->entries.size() == 1);
    CHECK(p->entries[0].afi == 0);
    CHECK(p->entries[0].metric == 16);
}

TEST_CASE("codec: plain-text authentication entry is split from the routes") {
    auto bytes = unhex(test::kBirdPlainResponse);
    auto p = parse(bytes);
    REQUIRE(p);
    const auto* pw = std::get_if<AuthPlain>(&p->auth);
    REQUIRE(pw);
    CHECK(std::string(reinterpret_cast<const char*>(pw->password.data())) == "plainpw");
    CHECK(p->entries.size() == 3);
}

TEST_CASE("codec: RFC 4822 MD5 header and trailer") {
    auto bytes = unhex(test::kBirdMd5Response);
    auto p = parse(bytes);
    REQUIRE(p);
    const auto* c = std::get_if<AuthCrypto>(&p->auth);
    REQUIRE(c);
    CHECK(c->packet_length == 84);
    CHECK(c->key_id == 1);
    CHECK(c->auth_data_len == 20);
    CHECK(c->sequence == 1795559193);
    CHECK(c->digest[0] == 0xb2);
    CHECK(c->digest[15] == 0xe6);
    CHECK(p->entries.size() == 3);  // the trailer is not a route
}

TEST_CASE("codec: round trip re-serialises byte for byte") {
    for (auto hex : {test::kBirdResponse, test::kBirdRequest, test::kBirdPlainResponse,
                     test::kBirdMd5Response, test::kBirdMd5Request}) {
        auto bytes = unhex(hex);
        auto p = parse(bytes);
        REQUIRE(p);
        std::vector<uint8_t> out(bytes.size() + 64);
        triplay::ByteWriter w(out);
        REQUIRE(serialize(*p, w));
        std::vector<uint8_t> again(w.written().begin(), w.written().end());
        CHECK(again == bytes);
    }
}

TEST_CASE("codec: malformed datagrams are errors, never crashes") {
    auto good = unhex(test::kBirdResponse);
    struct Row {
        const char* what;
        std::vector<uint8_t> bytes;
        ParseError want;
    };
    auto md5 = unhex(test::kBirdMd5Response);
    auto md5_bad_len = md5;
    md5_bad_len[9] = 0x40;  // packet length 64: trailer position disagrees with the size
    auto md5_odd_len = md5;
    md5_odd_len[9] = 0x55;  // 85: not on an entry boundary
    auto md5_no_trailer = md5;
    md5_no_trailer[84] = 0x00;  // trailer's 0xffff gone
    auto md5_huge_len = md5;
    md5_huge_len[8] = 0xff;
    std::vector<Row> rows = {
        {"empty", {}, ParseError::Truncated},
        {"3 bytes", {2, 2, 0}, ParseError::Truncated},
        {"header plus 1 byte", {2, 2, 0, 0, 0}, ParseError::BadLength},
        {"one short of two entries", std::vector<uint8_t>(good.begin(), good.end() - 21), ParseError::BadLength},
        {"one byte too many", [&] { auto v = good; v.push_back(0); return v; }(), ParseError::BadLength},
        {"MD5 length points elsewhere", md5_bad_len, ParseError::BadAuthLength},
        {"MD5 length not on an entry", md5_odd_len, ParseError::BadAuthLength},
        {"MD5 length beyond the datagram", md5_huge_len, ParseError::BadAuthLength},
        {"MD5 trailer missing", md5_no_trailer, ParseError::BadAuthTrailer},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto p = parse(row.bytes);
        REQUIRE_FALSE(p);
        CHECK(p.error() == row.want);
    }
}

TEST_CASE("codec: every truncation of every capture is handled") {
    for (auto hex : {test::kBirdResponse, test::kBirdPlainResponse, test::kBirdMd5Response}) {
        auto bytes = unhex(hex);
        for (size_t n = 0; n < bytes.size(); ++n) {
            auto p = parse(std::span(bytes).first(n));
            // Whole entries of a plain packet still parse; everything else is refused.
            if (p) CHECK((n - kHeaderSize) % kRteSize == 0);
        }
    }
}

TEST_CASE("codec: a datagram of 3000 entries parses (BIRD fills the MTU, jumbo frames more)") {
    std::vector<uint8_t> big = {2, 2, 0, 0};
    for (int i = 0; i < 3000; ++i) {
        auto e = unhex("00020000ac1a1704ffffffff0000000000000001");
        big.insert(big.end(), e.begin(), e.end());
    }
    auto p = parse(big);
    REQUIRE(p);
    CHECK(p->entries.size() == 3000);
}

TEST_CASE("codec: unknown authentication types are kept and named") {
    auto bytes = unhex("02020000ffff0009000000000000000000000000000000000000000000020000ac1a1704ffffffff0000000000000001");
    bytes.resize(4 + 40);
    auto p = parse(bytes);
    REQUIRE(p);
    REQUIRE(std::holds_alternative<AuthOther>(p->auth));
    CHECK(std::get<AuthOther>(p->auth).type == 9);
}
