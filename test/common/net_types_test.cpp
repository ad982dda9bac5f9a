// SPDX-License-Identifier: GPL-2.0-or-later
#include "net_types.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <unordered_set>

using namespace triplay;

TEST_CASE("Ipv4::parse accepts strict dotted quads", "[net_types]") {
    CHECK(Ipv4::parse("0.0.0.0") == Ipv4());
    CHECK(Ipv4::parse("10.128.0.1") == Ipv4(10, 128, 0, 1));
    CHECK(Ipv4::parse("255.255.255.255") == Ipv4(0xffffffff));
    CHECK(Ipv4::parse("172.26.22.7")->value() == 0xac1a1607);
}

TEST_CASE("Ipv4::parse rejects everything else", "[net_types]") {
    for (const char* bad :
         {"",         "1",          "1.2.3",     "1.2.3.4.", ".1.2.3.4",   "1.2.3.4.5",
          "1..2.3",   "256.0.0.0",  "1.2.3.256", "01.2.3.4", "1.2.3.04",   "00.0.0.0",
          "+1.2.3.4", "-1.2.3.4",   "1.2.3.4 ",  " 1.2.3.4", "1.2.3.4/24", "0x1.2.3.4",
          "a.b.c.d",  "1.2.3.1000", "4294967295"}) {
        INFO("input: '" << bad << "'");
        CHECK_FALSE(Ipv4::parse(bad));
    }
}

TEST_CASE("Ipv4 prints and round-trips through in_addr", "[net_types]") {
    Ipv4 a(239, 0, 0, 2);
    CHECK(a.to_string() == "239.0.0.2");
    CHECK(Ipv4().to_string() == "0.0.0.0");
    in_addr in = a.to_in_addr();
    std::array<uint8_t, 4> b{};
    std::memcpy(b.data(), &in.s_addr, b.size());
    CHECK(b == std::array<uint8_t, 4>{239, 0, 0, 2});  // network order in memory
    CHECK(Ipv4::from_in_addr(in) == a);
}

TEST_CASE("Ipv4 classification", "[net_types]") {
    CHECK(Ipv4().is_unspecified());
    CHECK(Ipv4(127, 0, 0, 1).is_loopback());
    CHECK(Ipv4(224, 0, 0, 1).is_multicast());
    CHECK(Ipv4(239, 255, 255, 255).is_multicast());
    CHECK_FALSE(Ipv4(240, 0, 0, 1).is_multicast());
    CHECK(Ipv4(240, 0, 0, 1).is_class_e());
    CHECK(Ipv4(169, 254, 3, 4).is_link_local());
    CHECK_FALSE(Ipv4(169, 253, 3, 4).is_link_local());
    CHECK(Ipv4(255, 255, 255, 255).is_broadcast());
    CHECK(Ipv4(1, 2, 3, 4) < Ipv4(1, 2, 3, 5));
}

TEST_CASE("Prefix4::parse with and without a length", "[net_types]") {
    auto p = Prefix4::parse("172.26.22.0/26");
    REQUIRE(p);
    CHECK(p->addr() == Ipv4(172, 26, 22, 0));
    CHECK(p->len() == 26);
    CHECK(p->mask() == Ipv4(255, 255, 255, 192));
    CHECK(p->to_string() == "172.26.22.0/26");
    CHECK(Prefix4::parse("10.1.2.3") == Prefix4(Ipv4(10, 1, 2, 3), 32));
    CHECK(Prefix4::parse("0.0.0.0/0") == Prefix4());
    CHECK(Prefix4::parse("1.2.3.4/32")->len() == 32);
}

TEST_CASE("Prefix4::parse rejects bad lengths and host bits", "[net_types]") {
    for (const char* bad :
         {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/ 8",
          "/8", "10.0.0/8", "10.0.0.0/100", "10.0.0.1/8", "172.26.22.1/26"}) {
        INFO("input: '" << bad << "'");
        CHECK_FALSE(Prefix4::parse(bad));
    }
}

TEST_CASE("Prefix4::parse clears host bits when asked to allow them", "[net_types]") {
    auto p = Prefix4::parse("10.214.1.2/9", Prefix4::HostBits::Allow);
    REQUIRE(p);
    CHECK(p->to_string() == "10.128.0.0/9");
    CHECK(Prefix4(Ipv4(10, 1, 2, 3), 8) == Prefix4(Ipv4(10, 0, 0, 0), 8));
}

TEST_CASE("Prefix4 containment", "[net_types]") {
    Prefix4 p = *Prefix4::parse("10.128.0.0/9");
    CHECK(p.contains(Ipv4(10, 214, 1, 2)));
    CHECK(p.contains(Ipv4(10, 255, 255, 255)));
    CHECK_FALSE(p.contains(Ipv4(10, 127, 255, 255)));
    CHECK(p.contains(*Prefix4::parse("10.200.0.0/16")));
    CHECK_FALSE(p.contains(*Prefix4::parse("10.0.0.0/8")));  // wider than p
    CHECK(Prefix4().contains(Ipv4(8, 8, 8, 8)));             // default route covers all
    CHECK(Prefix4(Ipv4(1, 2, 3, 4), 32).contains(Ipv4(1, 2, 3, 4)));
    CHECK_FALSE(Prefix4(Ipv4(1, 2, 3, 4), 32).contains(Ipv4(1, 2, 3, 5)));
}

TEST_CASE("Prefix4 clamps lengths above 32", "[net_types]") {
    Prefix4 p(Ipv4(1, 2, 3, 4), 40);
    CHECK(p.len() == 32);
    CHECK(p.addr() == Ipv4(1, 2, 3, 4));
}

TEST_CASE("Prefix4::mask_to_len accepts contiguous masks only", "[net_types]") {
    CHECK(Prefix4::mask_to_len(Ipv4(255, 255, 255, 0)) == 24);
    CHECK(Prefix4::mask_to_len(Ipv4(255, 255, 255, 192)) == 26);
    CHECK(Prefix4::mask_to_len(Ipv4(255, 128, 0, 0)) == 9);
    CHECK(Prefix4::mask_to_len(Ipv4(0, 0, 0, 0)) == 0);
    CHECK(Prefix4::mask_to_len(Ipv4(255, 255, 255, 255)) == 32);
    CHECK(Prefix4::mask_to_len(Ipv4(128, 0, 0, 0)) == 1);
    CHECK_FALSE(Prefix4::mask_to_len(Ipv4(255, 0, 255, 0)));
    CHECK_FALSE(Prefix4::mask_to_len(Ipv4(0, 0, 0, 255)));  // inverted (Cisco wildcard)
    CHECK_FALSE(Prefix4::mask_to_len(Ipv4(255, 255, 255, 253)));
    CHECK_FALSE(Prefix4::mask_to_len(Ipv4(127, 255, 255, 255)));
    for (uint8_t len = 0; len <= 32; ++len)
        CHECK(Prefix4::mask_to_len(Ipv4(Prefix4::mask_of(len))) == len);
}

TEST_CASE("IfAddr4::subnet", "[net_types]") {
    IfAddr4 a{Ipv4(10, 214, 1, 2), 9};
    CHECK(a.subnet() == *Prefix4::parse("10.128.0.0/9"));
}

TEST_CASE("Mac::parse accepts colon or dash separated hex in any case", "[net_types]") {
    auto m = Mac::parse("aa:BB:cc:01:02:0f");
    REQUIRE(m);
    CHECK(m->bytes() == std::array<uint8_t, 6>{0xaa, 0xbb, 0xcc, 0x01, 0x02, 0x0f});
    CHECK(m->to_string() == "aa:bb:cc:01:02:0f");
    CHECK(Mac::parse("AA-BB-CC-01-02-0F") == m);
}

TEST_CASE("Mac::parse rejects malformed addresses", "[net_types]") {
    for (const char* bad : {"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:fg",
                            "aa.bb.cc.dd.ee.ff", "aabb.ccdd.eeff", "aa:bb:cc:dd:ee:f",
                            "aa:bb:cc:dd:eeff ", " a:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff "}) {
        INFO("input: '" << bad << "'");
        CHECK_FALSE(Mac::parse(bad));
    }
}

TEST_CASE("Mac broadcast and multicast bits", "[net_types]") {
    CHECK(Mac::parse("ff:ff:ff:ff:ff:ff")->is_broadcast());
    CHECK(Mac::parse("ff:ff:ff:ff:ff:ff")->is_multicast());
    CHECK(Mac::parse("01:00:5e:00:00:01")->is_multicast());
    CHECK_FALSE(Mac::parse("01:00:5e:00:00:01")->is_broadcast());
    CHECK_FALSE(Mac::parse("02:00:00:00:00:01")->is_multicast());
    CHECK(Mac().to_string() == "00:00:00:00:00:00");
}

TEST_CASE("Ipv4 and Prefix4 hash distinguish values", "[net_types]") {
    std::unordered_set<Prefix4> set{*Prefix4::parse("10.0.0.0/8"), *Prefix4::parse("10.0.0.0/9")};
    CHECK(set.size() == 2);
    CHECK(set.count(*Prefix4::parse("10.0.0.0/8")) == 1);
    std::unordered_set<Ipv4> addrs{Ipv4(1, 2, 3, 4), Ipv4(1, 2, 3, 4)};
    CHECK(addrs.size() == 1);
}
