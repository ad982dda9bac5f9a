// SPDX-License-Identifier: GPL-2.0-or-later
// The RFC 2453 §3.8 / §3.9.2 table driven by a fake clock.
#include <catch2/catch.hpp>

#include "route_table.h"

using namespace ripd;
using namespace std::chrono_literals;
using triplay::Ipv4;
using triplay::Prefix4;

namespace {
const Ipv4 kA(10, 128, 0, 1), kB(10, 128, 0, 2);
const Prefix4 kP(Ipv4(172, 26, 22, 0), 26);
const TimePoint t0 = TimePoint{} + 1h;

Candidate cand(uint32_t metric, Ipv4 nh = kA, Prefix4 p = kP) { return Candidate{p, nh, metric, 0}; }

struct T {
    RouteTable table{{180s, 120s}, 100};
    std::vector<Action> out;
    Update up(uint32_t metric, Ipv4 src, TimePoint now, Prefix4 p = kP) {
        return table.update(cand(metric, src, p), src, 3, now, out);
    }
    std::vector<Action> take() { return std::exchange(out, {}); }
};
}  // namespace

TEST_CASE("table: learn installs with metric + 1") {
    T t;
    CHECK(t.up(1, kA, t0) == Update::Added);
    auto a = t.take();
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Action::Kind::Install);
    CHECK(a[0].route.metric == 2);
    CHECK(a[0].route.next_hop == kA);
    CHECK(t.table.next_deadline() == t0 + 180s);
}

TEST_CASE("table: same-source refresh resets the timeout and installs nothing") {
    T t;
    t.up(1, kA, t0);
    t.take();
    CHECK(t.up(1, kA, t0 + 30s) == Update::Refreshed);
    CHECK(t.take().empty());
    CHECK(t.table.next_deadline() == t0 + 30s + 180s);
    t.table.expire(t0 + 200s, t.out);
    CHECK(t.take().empty());  // would have timed out at t0+180 without the refresh
}

TEST_CASE("table: timeout withdraws, garbage collection removes") {
    T t;
    t.up(1, kA, t0);
    t.take();
    t.table.expire(t0 + 179s, t.out);
    CHECK(t.take().empty());
    t.table.expire(t0 + 180s, t.out);
    auto a = t.take();
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Action::Kind::Withdraw);
    CHECK(t.table.routes().at(kP).deleting());
    CHECK(t.table.active() == 0);
    CHECK(t.table.next_deadline() == t0 + 180s + 120s);
    t.table.expire(t0 + 299s, t.out);
    CHECK(t.table.routes().size() == 1);
    t.table.expire(t0 + 300s, t.out);
    CHECK(t.table.routes().empty());
    CHECK(t.take().empty());  // nothing more for the kernel: it was withdrawn at timeout
    CHECK_FALSE(t.table.next_deadline());
}

TEST_CASE("table: metric 16 from the same source withdraws at once") {
    T t;
    t.up(1, kA, t0);
    t.take();
    CHECK(t.up(16, kA, t0 + 5s) == Update::Withdrawn);
    auto a = t.take();
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Action::Kind::Withdraw);
    // Repeated 16s do not restart the garbage timer (RFC 2453 §3.9.2).
    CHECK(t.up(16, kA, t0 + 60s) == Update::Ignored);
    CHECK(t.table.next_deadline() == t0 + 5s + 120s);
}

TEST_CASE("table: metric 15 announced becomes 16 and is not added") {
    T t;
    CHECK(t.up(15, kA, t0) == Update::Ignored);
    CHECK(t.table.routes().empty());
}

TEST_CASE("table: a route in garbage collection comes back") {
    T t;
    t.up(1, kA, t0);
    t.up(16, kA, t0 + 1s);
    t.take();
    CHECK(t.up(2, kB, t0 + 2s) == Update::Changed);  // any source, metric < 16
    auto a = t.take();
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Action::Kind::Install);
    CHECK(a[0].route.source == kB);
    CHECK(t.table.active() == 1);
    CHECK(t.table.next_deadline() == t0 + 2s + 180s);
}

TEST_CASE("table: better metric from another neighbour replaces, worse is ignored") {
    T t;
    t.up(3, kA, t0);
    t.take();
    CHECK(t.up(4, kB, t0 + 1s) == Update::Ignored);
    CHECK(t.up(1, kB, t0 + 2s) == Update::Changed);
    auto a = t.take();
    REQUIRE(a.size() == 1);
    CHECK(a[0].route.source == kB);
    CHECK(a[0].route.metric == 2);
    // The old neighbour's refreshes no longer count.
    CHECK(t.up(3, kA, t0 + 3s) == Update::Ignored);
}

TEST_CASE("table: equal metric switches only when the route is halfway to timeout") {
    T t;
    t.up(1, kA, t0);
    t.take();
    CHECK(t.up(1, kB, t0 + 60s) == Update::Ignored);
    CHECK(t.up(1, kB, t0 + 90s) == Update::Changed);
    CHECK(t.table.routes().at(kP).source == kB);
}

TEST_CASE("table: same source changes metric or next hop") {
    T t;
    t.up(1, kA, t0);
    t.take();
    CHECK(t.up(3, kA, t0 + 1s) == Update::Changed);  // worse metric from the same router: taken
    CHECK(t.table.routes().at(kP).metric == 4);
    t.take();
    Candidate c = cand(3, Ipv4(10, 128, 0, 9));
    CHECK(t.table.update(c, kA, 3, t0 + 2s, t.out) == Update::Changed);
    CHECK(t.take().at(0).route.next_hop == Ipv4(10, 128, 0, 9));
}

TEST_CASE("table: max-routes caps the table; garbage routes make room") {
    RouteTable table({180s, 120s}, 2);
    std::vector<Action> out;
    auto p = [](uint8_t n) { return Prefix4(Ipv4(172, 26, n, 0), 24); };
    CHECK(table.update(cand(1, kA, p(1)), kA, 3, t0, out) == Update::Added);
    CHECK(table.update(cand(1, kA, p(2)), kA, 3, t0, out) == Update::Added);
    CHECK(table.update(cand(1, kA, p(3)), kA, 3, t0, out) == Update::TableFull);
    CHECK(table.update(cand(16, kA, p(1)), kA, 3, t0, out) == Update::Withdrawn);
    CHECK(table.update(cand(1, kA, p(3)), kA, 3, t0, out) == Update::Added);
    CHECK(table.routes().size() == 2);
    CHECK(table.routes().count(p(1)) == 0);
}

TEST_CASE("table: interface down withdraws only that interface's routes") {
    RouteTable table({180s, 120s}, 10);
    std::vector<Action> out;
    Prefix4 voip(Ipv4(10, 31, 255, 128), 27);
    table.update(cand(1, kA), kA, 3, t0, out);
    table.update(Candidate{voip, Ipv4(10, 25, 192, 1), 1, 0}, Ipv4(10, 25, 192, 1), 4, t0, out);
    out.clear();
    table.drop_interface(3, t0 + 1s, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].route.prefix == kP);
    CHECK(table.active() == 1);
    CHECK_FALSE(table.routes().at(voip).deleting());
}

TEST_CASE("table: address change withdraws routes whose next hop left the subnet") {
    RouteTable table({180s, 120s}, 10);
    std::vector<Action> out;
    table.update(cand(1, kA), kA, 3, t0, out);
    out.clear();
    IfaceConfig cfg;
    std::vector<triplay::IfAddr4> still{{Ipv4(10, 214, 1, 2), 9}};
    table.drop_unreachable(3, RxInterface{cfg, still}, t0, out);
    CHECK(out.empty());
    std::vector<triplay::IfAddr4> moved{{Ipv4(192, 168, 50, 2), 24}};
    table.drop_unreachable(3, RxInterface{cfg, moved}, t0, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == Action::Kind::Withdraw);
}

TEST_CASE("table: ten thousand routes expire in deadline order") {
    RouteTable table({180s, 120s}, 20000);
    std::vector<Action> out;
    for (uint32_t i = 0; i < 10000; ++i) {
        Prefix4 p(Ipv4(0xac1a0000u + (i << 8)), 24);
        table.update(Candidate{p, kA, 1, 0}, kA, 3, t0 + std::chrono::milliseconds(i), out);
    }
    CHECK(out.size() == 10000);
    out.clear();
    table.expire(t0 + 180s + 4999ms, out);
    CHECK(out.size() == 5000);
    CHECK(table.active() == 5000);
}
