// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <cstring>

#include "captures.h"
#include "rip_auth.h"

using namespace ripd;
using ripd::test::unhex;

namespace {
AuthConfig key(AuthMode mode, const char* k, uint8_t id = 1) {
    AuthConfig c;
    c.mode = mode;
    std::memcpy(c.key.data(), k, std::strlen(k));
    c.key_id = id;
    return c;
}
}  // namespace

TEST_CASE("auth: BIRD's keyed-MD5 digest verifies with key 'secret'") {
    auto bytes = unhex(test::kBirdMd5Response);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(check_auth(key(AuthMode::Md5, "secret"), *p, bytes) == AuthVerdict::Ok);
    CHECK(check_auth(key(AuthMode::Md5, "Secret"), *p, bytes) == AuthVerdict::Failed);
    CHECK(check_auth(key(AuthMode::Md5, "secret", 2), *p, bytes) == AuthVerdict::Failed);
}

TEST_CASE("auth: BIRD's MD5 request verifies too (sequence 0)") {
    auto bytes = unhex(test::kBirdMd5Request);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(check_auth(key(AuthMode::Md5, "secret"), *p, bytes) == AuthVerdict::Ok);
}

TEST_CASE("auth: any flipped bit breaks the digest") {
    auto bytes = unhex(test::kBirdMd5Response);
    for (size_t i = 0; i < 84; ++i) {
        if (i >= 8 && i < 10) continue;  // the length field: a parse error, tested in codec
        auto copy = bytes;
        copy[i] ^= 0x01;
        auto p = parse(copy);
        if (!p) continue;
        INFO("byte " << i);
        CHECK(check_auth(key(AuthMode::Md5, "secret"), *p, copy) != AuthVerdict::Ok);
    }
}

TEST_CASE("auth: plain text") {
    auto bytes = unhex(test::kBirdPlainResponse);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(check_auth(key(AuthMode::Plain, "plainpw"), *p, bytes) == AuthVerdict::Ok);
    CHECK(check_auth(key(AuthMode::Plain, "plainp"), *p, bytes) == AuthVerdict::Failed);
    CHECK(check_auth(key(AuthMode::Md5, "plainpw"), *p, bytes) == AuthVerdict::Failed);
}

TEST_CASE("auth: missing authentication, and none configured") {
    auto bytes = unhex(test::kBirdResponse);
    auto p = parse(bytes);
    REQUIRE(p);
    CHECK(check_auth(key(AuthMode::Plain, "x"), *p, bytes) == AuthVerdict::Missing);
    CHECK(check_auth(key(AuthMode::Md5, "x"), *p, bytes) == AuthVerdict::Missing);
    CHECK(check_auth(AuthConfig{}, *p, bytes) == AuthVerdict::Ok);
    auto md5 = unhex(test::kBirdMd5Response);
    auto pm = parse(md5);
    CHECK(check_auth(AuthConfig{}, *pm, md5) == AuthVerdict::Ok);  // RFC 2453 §4.1: ignored
}

TEST_CASE("auth: sign then verify, old Quagga auth-data length 16 accepted") {
    Packet p;
    p.command = 2;
    p.version = 2;
    p.entries.push_back(Rte{2, 0, triplay::Ipv4(10, 31, 255, 128), triplay::Ipv4(255, 255, 255, 224), {}, 1});
    p.auth = AuthCrypto{0, 7, 16, 42, {}};
    std::vector<uint8_t> buf(128);
    triplay::ByteWriter w(buf);
    REQUIRE(serialize(p, w));
    std::vector<uint8_t> out(w.written().begin(), w.written().end());
    auto cfg = key(AuthMode::Md5, "k", 7);
    REQUIRE(md5_sign(out, cfg.key));
    auto back = parse(out);
    REQUIRE(back);
    CHECK(check_auth(cfg, *back, out) == AuthVerdict::Ok);
}

TEST_CASE("auth: replay guard (RFC 4822 §3.2.2)") {
    ReplayGuard g;
    auto t0 = ReplayGuard::Clock::time_point{} + std::chrono::hours(1);
    auto forget = std::chrono::seconds(180);
    triplay::Ipv4 n(10, 128, 0, 1);
    CHECK(g.accept(3, n, 100, t0, forget));
    CHECK(g.accept(3, n, 100, t0, forget));   // equal: several packets of one update
    CHECK(g.accept(3, n, 101, t0, forget));
    CHECK_FALSE(g.accept(3, n, 99, t0, forget));  // replayed
    CHECK(g.accept(4, n, 1, t0, forget));          // other interface, own counter
    CHECK(g.accept(3, n, 0x80000064u, t0, forget));  // forward by < 2^31
    CHECK(g.accept(3, n, 5, t0, forget));          // and wraps around
    CHECK_FALSE(g.accept(3, n, 4, t0, forget));
    // Silent past the route timeout: it may have rebooted, start afresh.
    CHECK(g.accept(3, n, 1, t0 + std::chrono::seconds(181), forget));
}

TEST_CASE("auth: replay guard stays bounded") {
    ReplayGuard g;
    auto t = ReplayGuard::Clock::time_point{};
    for (uint32_t i = 0; i < 1000; ++i)
        g.accept(1, triplay::Ipv4(0x0a000000 + i), 1, t + std::chrono::seconds(i),
                 std::chrono::hours(1));
    CHECK(g.size() == ReplayGuard::kMaxNeighbors);
}
