// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <set>

#include "validate.h"

using namespace ripd;
using triplay::IfAddr4;
using triplay::Ipv4;

namespace {
struct Fixture {
    IfaceConfig cfg;
    std::vector<IfAddr4> addrs{{Ipv4(10, 214, 1, 2), 9}};
    RxInterface rx() const { return RxInterface{cfg, addrs}; }
};
const Ipv4 kSender(10, 128, 0, 1);

Rte rte(Ipv4 addr, Ipv4 mask, uint32_t metric = 1, Ipv4 nh = {}) {
    return Rte{kAfiInet, 0, addr, mask, nh, metric};
}
}  // namespace

TEST_CASE("validate: sender checks in BIRD's order") {
    Fixture f;
    f.cfg.name = "vlan2";
    CHECK_FALSE(check_sender(f.rx(), kSender, 520));
    CHECK(check_sender(f.rx(), kSender, 521) == Drop::BadSourcePort);
    // Port is checked before the address.
    CHECK(check_sender(f.rx(), Ipv4(192, 0, 2, 1), 521) == Drop::BadSourcePort);
    CHECK(check_sender(f.rx(), Ipv4(192, 0, 2, 1), 520) == Drop::NotOnLink);
    CHECK(check_sender(f.rx(), Ipv4(10, 214, 1, 2), 520) == Drop::NotOnLink);  // ourselves
    f.cfg.neighbors = {Ipv4(10, 128, 0, 1)};
    CHECK_FALSE(check_sender(f.rx(), kSender, 520));
    CHECK(check_sender(f.rx(), Ipv4(10, 128, 0, 66), 520) == Drop::NotNeighbor);
}

TEST_CASE("validate: an interface without an address has no on-link senders") {
    Fixture f;
    f.addrs.clear();
    CHECK(check_sender(f.rx(), kSender, 520) == Drop::NotOnLink);
}

TEST_CASE("validate: version and command") {
    Fixture f;
    Packet p;
    p.command = 2;
    p.version = 2;
    CHECK_FALSE(check_header(f.rx(), p));
    p.version = 1;
    CHECK(check_header(f.rx(), p) == Drop::BadVersion);  // RIPv1 only if configured
    f.cfg.versions = RipVersions::Both;
    CHECK_FALSE(check_header(f.rx(), p));
    p.version = 0;
    CHECK(check_header(f.rx(), p) == Drop::BadVersion);
    p.version = 2;
    for (int cmd : {0, 3, 4, 5, 6, 255}) {
        p.command = static_cast<uint8_t>(cmd);
        CHECK(check_header(f.rx(), p) == Drop::BadCommand);
    }
}

TEST_CASE("validate: route entries, one malformed class per row") {
    Fixture f;
    const Ipv4 m24(255, 255, 255, 0);
    struct Row {
        const char* what;
        Rte e;
        Drop want;
    };
    std::vector<Row> rows = {
        {"AFI 0", Rte{0, 0, Ipv4(172, 26, 22, 0), m24, {}, 1}, Drop::BadAfi},
        {"AFI 10 (IPv6)", Rte{10, 0, Ipv4(172, 26, 22, 0), m24, {}, 1}, Drop::BadAfi},
        {"metric 0", rte(Ipv4(172, 26, 22, 0), m24, 0), Drop::BadMetric},
        {"metric 17", rte(Ipv4(172, 26, 22, 0), m24, 17), Drop::BadMetric},
        {"metric 2^32-1", rte(Ipv4(172, 26, 22, 0), m24, 0xffffffff), Drop::BadMetric},
        {"mask with a hole", rte(Ipv4(172, 26, 22, 0), Ipv4(255, 0, 255, 0)), Drop::BadMask},
        {"host bits set", rte(Ipv4(172, 26, 22, 1), m24), Drop::BadPrefix},
        {"multicast", rte(Ipv4(239, 0, 0, 0), m24), Drop::BadPrefix},
        {"loopback", rte(Ipv4(127, 0, 0, 0), Ipv4(255, 0, 0, 0)), Drop::BadPrefix},
        {"link-local", rte(Ipv4(169, 254, 0, 0), Ipv4(255, 255, 0, 0)), Drop::BadPrefix},
        {"class E", rte(Ipv4(240, 0, 0, 0), Ipv4(240, 0, 0, 0)), Drop::BadPrefix},
        {"broadcast host", rte(Ipv4(255, 255, 255, 255), Ipv4(255, 255, 255, 255)), Drop::BadPrefix},
        {"0.x network", rte(Ipv4(0, 1, 0, 0), Ipv4(255, 255, 0, 0)), Drop::BadPrefix},
        {"default", rte(Ipv4(), Ipv4()), Drop::DefaultRefused},
        {"half the Internet (0/1 + 128/1 is a default)", rte(Ipv4(128, 0, 0, 0), Ipv4(128, 0, 0, 0)),
         Drop::DefaultRefused},
        {"a /7", rte(Ipv4(10, 0, 0, 0), Ipv4(254, 0, 0, 0)), Drop::DefaultRefused},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto c = check_route(f.rx(), kSender, 2, row.e, false);
        REQUIRE_FALSE(c);
        CHECK(c.error() == row.want);
    }
}

TEST_CASE("validate: next hop resolution (RFC 2453 §4.4)") {
    Fixture f;
    const Ipv4 m26(255, 255, 255, 192);
    auto c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 26, 22, 0), m26), false);
    REQUIRE(c);
    CHECK(c->next_hop == kSender);  // 0.0.0.0 -> the sender
    CHECK(c->prefix == triplay::Prefix4(Ipv4(172, 26, 22, 0), 26));
    CHECK(c->metric == 1);
    c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 26, 22, 0), m26, 2, Ipv4(10, 128, 0, 9)), false);
    CHECK(c->next_hop == Ipv4(10, 128, 0, 9));  // on-link: kept
    c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 26, 22, 0), m26, 2, Ipv4(192, 0, 2, 9)), false);
    CHECK(c->next_hop == kSender);  // off-link: the sender
    c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 26, 22, 0), m26, 2, Ipv4(10, 214, 1, 2)), false);
    CHECK(c->next_hop == kSender);  // ourselves: the sender
}

TEST_CASE("validate: default route only when allowed; accept list") {
    Fixture f;
    CHECK(check_route(f.rx(), kSender, 2, rte(Ipv4(), Ipv4()), true));
    f.cfg.accept = {*triplay::Prefix4::parse("172.26.0.0/16")};
    CHECK(check_route(f.rx(), kSender, 2, rte(Ipv4(172, 26, 80, 0), Ipv4(255, 255, 248, 0)), false));
    auto c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 27, 0, 0), Ipv4(255, 255, 0, 0)), false);
    REQUIRE_FALSE(c);
    CHECK(c.error() == Drop::NotAccepted);
    // A wider prefix that contains the accepted one is not inside it.
    c = check_route(f.rx(), kSender, 2, rte(Ipv4(172, 0, 0, 0), Ipv4(255, 0, 0, 0)), false);
    CHECK(c.error() == Drop::NotAccepted);
}

TEST_CASE("validate: RIPv1 entries (RFC 1058)") {
    Fixture f;
    f.cfg.versions = RipVersions::Both;
    auto c = check_route(f.rx(), kSender, 1, rte(Ipv4(172, 26, 0, 0), Ipv4()), false);
    REQUIRE(c);
    CHECK(c->prefix.len() == 16);  // class B natural mask
    c = check_route(f.rx(), kSender, 1, rte(Ipv4(172, 26, 23, 4), Ipv4()), false);
    REQUIRE(c);
    CHECK(c->prefix.len() == 32);  // bits beyond the natural mask: host route
    c = check_route(f.rx(), kSender, 1, rte(Ipv4(11, 0, 0, 0), Ipv4()), false);
    REQUIRE(c);
    CHECK(c->prefix.len() == 8);  // class A, not our network
    c = check_route(f.rx(), kSender, 1, rte(Ipv4(10, 0, 0, 0), Ipv4()), false);
    REQUIRE(c);
    CHECK(c->prefix.len() == 9);  // our network 10/8 is subnetted /9: a subnet route
    c = check_route(f.rx(), kSender, 1, rte(Ipv4(10, 128, 0, 0), Ipv4()), false);
    REQUIRE(c);
    CHECK(c->prefix.len() == 9);  // inside our 10/8 network: our /9 mask
    c = check_route(f.rx(), kSender, 1, rte(Ipv4(172, 26, 0, 0), Ipv4(255, 255, 0, 0)), false);
    REQUIRE_FALSE(c);
    CHECK(c.error() == Drop::BadV1Entry);
}

TEST_CASE("validate: every drop reason has a distinct name") {
    std::set<std::string_view> names;
    for (size_t i = 0; i < kDropCount; ++i) names.insert(drop_name(static_cast<Drop>(i)));
    CHECK(names.size() == kDropCount);
    CHECK(names.count("?") == 0);
}
