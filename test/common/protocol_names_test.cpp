// SPDX-License-Identifier: GPL-2.0-or-later
// The pure part of netlink.h; the kernel-facing part is in netlink_test.cpp.
#include <catch2/catch.hpp>

#include "netlink.h"

using namespace triplay::netlink;

TEST_CASE("parse_protocol knows iproute2's names", "[netlink][protocol]") {
    CHECK(parse_protocol("unspec") == 0);
    CHECK(parse_protocol("kernel") == 2);
    CHECK(parse_protocol("boot") == 3);
    CHECK(parse_protocol("static") == 4);
    CHECK(parse_protocol("zebra") == 11);
    CHECK(parse_protocol("bird") == 12);
    CHECK(parse_protocol("dhcp") == 16);
    CHECK(parse_protocol("keepalived") == 18);
    CHECK(parse_protocol("babel") == 42);
    CHECK(parse_protocol("bgp") == 186);
    CHECK(parse_protocol("ospf") == 188);
    CHECK(parse_protocol("rip") == 189);
    CHECK(parse_protocol("eigrp") == 192);
}

TEST_CASE("parse_protocol takes decimal numbers 0..255", "[netlink][protocol]") {
    CHECK(parse_protocol("0") == 0);
    CHECK(parse_protocol("11") == 11);
    CHECK(parse_protocol("255") == 255);
    for (const char* bad :
         {"", "256", "-1", "+1", "011", "0x0b", "1 ", "zebra ", "Zebra", "1000"}) {
        INFO("input: '" << bad << "'");
        CHECK_FALSE(parse_protocol(bad));
    }
}

TEST_CASE("protocol_name gives the name, or the number when there is none", "[netlink][protocol]") {
    CHECK(protocol_name(11) == "zebra");
    CHECK(protocol_name(189) == "rip");
    CHECK(protocol_name(2) == "kernel");
    CHECK(protocol_name(200) == "200");
    CHECK(protocol_name(5) == "5");
    for (unsigned p = 0; p <= 255; ++p)
        CHECK(parse_protocol(protocol_name(static_cast<uint8_t>(p))) == p);  // round trip
}
