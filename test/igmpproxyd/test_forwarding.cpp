// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "forwarding.h"

using namespace igmp;
using triplay::Ipv4;
using triplay::Prefix4;

namespace {
const Ipv4 kSrc(172, 26, 80, 10), kGroup(239, 0, 2, 10), kOther(239, 0, 2, 30);
constexpr int kUp = 0, kLan = 1, kWifi = 2;
const auto t0 = FwdClock::time_point{} + std::chrono::hours(1);

Forwarding::Interest wants(std::vector<OutVif> v) {
    return [v](Ipv4, Ipv4) { return v; };
}
const Forwarding::Interest kNobody = wants({});
}  // namespace

TEST_CASE("forwarding: 224.0.0.0/24 is never proxied, non-multicast refused") {
    GroupPolicy p;
    CHECK(check_group(Ipv4(224, 0, 0, 251), p) == Reject::LinkLocalGroup);  // mDNS
    CHECK(check_group(Ipv4(224, 0, 0, 22), p) == Reject::LinkLocalGroup);   // IGMPv3
    CHECK(check_group(Ipv4(10, 0, 0, 1), p) == Reject::NotMulticast);
    CHECK_FALSE(check_group(Ipv4(224, 0, 1, 1), p));  // 224.0.1.x is routable
    CHECK_FALSE(check_group(kGroup, p));
}

TEST_CASE("forwarding: whitelist and blacklist") {
    GroupPolicy p;
    p.whitelist = {*Prefix4::parse("239.0.0.0/16")};
    p.blacklist = {*Prefix4::parse("239.0.5.0/24")};
    CHECK_FALSE(check_group(kGroup, p));
    CHECK(check_group(Ipv4(239, 1, 0, 1), p) == Reject::NotWhitelisted);
    CHECK(check_group(Ipv4(239, 0, 5, 1), p) == Reject::Blacklisted);
}

TEST_CASE("forwarding: an accepted flow goes to the interested downstream VIFs") {
    Forwarding f;
    auto a = f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, wants({{kLan, 1}, {kWifi, 4}}), t0);
    REQUIRE(a);
    CHECK(a->kind == MfcAction::Kind::Add);
    CHECK(a->parent_vif == kUp);
    CHECK(a->ttls[kUp] == 0);
    CHECK(a->ttls[kLan] == 1);
    CHECK(a->ttls[kWifi] == 4);  // the VIF's threshold
    CHECK(f.size() == 1);
}

TEST_CASE("forwarding: flows are refused by named reason") {
    Forwarding f;
    auto r = f.on_nocache(kSrc, kGroup, kLan, kUp, true, {}, kNobody, t0);
    REQUIRE_FALSE(r);
    CHECK(r.error() == Reject::NotFromUpstream);  // RFC 4605 §4.2: only upstream -> downstream
    r = f.on_nocache(kSrc, kGroup, kUp, kUp, false, {}, kNobody, t0);
    CHECK(r.error() == Reject::SourceNotAccepted);
    r = f.on_nocache(kSrc, Ipv4(224, 0, 0, 1), kUp, kUp, true, {}, kNobody, t0);
    CHECK(r.error() == Reject::LinkLocalGroup);
    CHECK(f.size() == 0);
}

TEST_CASE("forwarding: a flow nobody wants yet is cached with no outgoing VIF") {
    Forwarding f;
    auto a = f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, kNobody, t0);
    REQUIRE(a);
    CHECK(a->ttls == std::array<uint8_t, kMaxVifs>{});
    // A later join only rewrites the entry.
    std::vector<MfcAction> out;
    f.on_interest_changed(kGroup, wants({{kLan, 1}}), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == MfcAction::Kind::Add);
    CHECK(out[0].ttls[kLan] == 1);
    // The same interest again changes nothing.
    out.clear();
    f.on_interest_changed(kGroup, wants({{kLan, 1}}), out);
    CHECK(out.empty());
}

TEST_CASE("forwarding: interest changes touch only the group's entries") {
    Forwarding f;
    f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    f.on_nocache(kSrc, kOther, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    f.on_nocache(Ipv4(172, 26, 80, 11), kGroup, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    std::vector<MfcAction> out;
    f.on_interest_changed(kGroup, kNobody, out);  // the last member of kGroup left
    REQUIRE(out.size() == 2);
    for (const auto& a : out) {
        CHECK(a.group == kGroup);
        CHECK(a.ttls[kLan] == 0);
    }
}

TEST_CASE("forwarding: the upstream VIF never appears as an outgoing VIF") {
    Forwarding f;
    auto a = f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, wants({{kUp, 1}, {kLan, 1}}), t0);
    REQUIRE(a);
    CHECK(a->ttls[kUp] == 0);
    CHECK(a->ttls[kLan] == 1);
}

TEST_CASE("forwarding: idle entries expire by their packet counters") {
    Forwarding f;
    f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    f.on_nocache(kSrc, kOther, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    uint64_t busy = 10;
    auto counters = [&](Ipv4, Ipv4 g) -> std::optional<uint64_t> {
        return g == kGroup ? busy : 0;  // kOther never moves
    };
    std::vector<MfcAction> out;
    f.sweep(counters, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == MfcAction::Kind::Del);
    CHECK(out[0].group == kOther);
    out.clear();
    f.sweep(counters, out);  // kGroup did not move since the last sweep: idle now
    REQUIRE(out.size() == 1);
    CHECK(out[0].group == kGroup);
    CHECK(f.size() == 0);
}

TEST_CASE("forwarding: an entry the kernel lost is forgotten at the next sweep") {
    Forwarding f;
    f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, wants({{kLan, 1}}), t0);
    std::vector<MfcAction> out;
    f.sweep([](Ipv4, Ipv4) { return std::optional<uint64_t>(); }, out);
    CHECK(f.size() == 0);
}

TEST_CASE("forwarding: clear removes everything") {
    Forwarding f;
    f.on_nocache(kSrc, kGroup, kUp, kUp, true, {}, kNobody, t0);
    f.on_nocache(kSrc, kOther, kUp, kUp, true, {}, kNobody, t0);
    std::vector<MfcAction> out;
    f.clear(out);
    CHECK(out.size() == 2);
    CHECK(f.size() == 0);
}
