// SPDX-License-Identifier: GPL-2.0-or-later
// KernelRoutes against a fake kernel keyed like the real one: (table, prefix, metric).
#include <catch2/catch.hpp>

#include <cerrno>
#include <map>
#include <tuple>

#include "kernel_routes.h"

using namespace ripd;
using triplay::Ipv4;
using triplay::Prefix4;

namespace {
class FakeKernel : public RouteBackend {
public:
    using Key = std::tuple<uint32_t, Prefix4, uint32_t>;
    std::map<Key, Route4> routes;
    int fail_next_replace = 0;
    std::vector<std::string> log;

    Result<> replace(const Route4& r) override {
        if (fail_next_replace) return triplay::os_fail(std::exchange(fail_next_replace, 0), "replace");
        log.push_back("replace " + r.dst.to_string() + " m" + std::to_string(r.metric));
        routes[{r.table, r.dst, r.metric}] = r;
        return {};
    }
    Result<> add(const Route4& r) override {
        if (fail_next_replace) return triplay::os_fail(std::exchange(fail_next_replace, 0), "add");
        log.push_back("add " + r.dst.to_string() + " m" + std::to_string(r.metric));
        if (routes.count({r.table, r.dst, r.metric})) return triplay::os_fail(EEXIST, "add");
        routes[{r.table, r.dst, r.metric}] = r;
        return {};
    }
    Result<> remove(const Route4& r) override {
        log.push_back("remove " + r.dst.to_string() + " m" + std::to_string(r.metric));
        if (!routes.erase({r.table, r.dst, r.metric})) return triplay::os_fail(ESRCH, "remove");
        return {};
    }
    Result<std::vector<Route4>> dump() override {
        std::vector<Route4> v;
        for (auto& [k, r] : routes) v.push_back(r);
        return v;
    }
};

const Prefix4 kP(Ipv4(172, 26, 22, 0), 26);
Route route(uint32_t metric, Ipv4 nh = Ipv4(10, 128, 0, 1)) {
    Route r;
    r.prefix = kP;
    r.next_hop = nh;
    r.source = nh;
    r.ifindex = 3;
    r.metric = metric;
    return r;
}
}  // namespace

TEST_CASE("kernel: install with proto, table and metric rip+1 (announced 2 -> 3, as Quagga)") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    REQUIRE(kr.install(route(3)));  // table metric 3 = announced 2 + cost 1
    REQUIRE(k.routes.size() == 1);
    const Route4& r = k.routes.begin()->second;
    CHECK(r.metric == 3);
    CHECK(r.protocol == 11);
    CHECK(r.gateway == Ipv4(10, 128, 0, 1));
    CHECK(r.ifindex == 3);
    // Installing the same again touches nothing.
    k.log.clear();
    REQUIRE(kr.install(route(3)));
    CHECK(k.log.empty());
}

TEST_CASE("kernel: metric change is make-before-break") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    k.log.clear();
    REQUIRE(kr.install(route(5)));
    CHECK(k.log == std::vector<std::string>{"add 172.26.22.0/26 m5", "remove 172.26.22.0/26 m3"});
    CHECK(k.routes.size() == 1);
}

TEST_CASE("kernel: next-hop change replaces in place") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    REQUIRE(kr.install(route(3, Ipv4(10, 128, 0, 2))));
    REQUIRE(k.routes.size() == 1);
    CHECK(k.routes.begin()->second.gateway == Ipv4(10, 128, 0, 2));
}

TEST_CASE("kernel: withdraw, and withdrawing what is already gone is fine") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    k.routes.clear();  // the kernel dropped it (link down)
    CHECK(kr.withdraw(kP));
    CHECK_FALSE(kr.installed(kP));
    CHECK(kr.errors() == 0);
}

TEST_CASE("kernel: a route deleted by hand is put back; ours deleted by us is not") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    Route4 gone = k.routes.begin()->second;
    k.routes.clear();
    CHECK(kr.on_deleted(gone));
    CHECK(k.routes.size() == 1);
    CHECK(kr.readded() == 1);
    kr.withdraw(kP);
    CHECK_FALSE(kr.on_deleted(gone));  // our own withdrawal's echo
    Route4 other = gone;
    other.protocol = 4;  // static: never ours
    CHECK_FALSE(kr.on_deleted(other));
}

TEST_CASE("kernel: the old metric's deletion echo is not re-added") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    Route4 old = k.routes.begin()->second;
    kr.install(route(5));
    CHECK_FALSE(kr.on_deleted(old));
    CHECK(k.routes.size() == 1);
}

TEST_CASE("kernel: routes of an earlier run are adopted, confirmed in place, the rest swept") {
    FakeKernel k;
    Route4 mine{kP, Ipv4(10, 128, 0, 1), 3, 3, 11, 254};
    Prefix4 gone(Ipv4(172, 26, 23, 4), 32);
    Route4 unconfirmed{gone, Ipv4(10, 128, 0, 1), 3, 3, 11, 254};
    Route4 theirs{Prefix4(Ipv4(10, 0, 0, 0), 8), Ipv4(10, 128, 0, 1), 3, 3, 4, 254};
    Route4 other_table{kP, Ipv4(10, 128, 0, 1), 3, 3, 11, 100};
    for (const auto& r : {mine, unconfirmed, theirs, other_table}) k.routes[{r.table, r.dst, r.metric}] = r;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    auto n = kr.adopt_stale();
    REQUIRE(n);
    CHECK(*n == 2);  // only protocol 11 in table 254
    CHECK(k.routes.size() == 4);  // nothing removed yet: TV keeps flowing across a restart
    k.log.clear();
    REQUIRE(kr.install(route(3)));  // the neighbour confirms kP exactly as it is
    CHECK(k.log.empty());
    CHECK(kr.installed(kP));
    CHECK(kr.sweep_stale() == 1);  // 172.26.23.4 was not announced again
    CHECK(k.log == std::vector<std::string>{"remove 172.26.23.4/32 m3"});
    CHECK(k.routes.size() == 3);
}

TEST_CASE("kernel: an adopted route with another metric is replaced make-before-break") {
    FakeKernel k;
    Route4 old{kP, Ipv4(10, 128, 0, 1), 3, 7, 11, 254};
    k.routes[{254, kP, 7}] = old;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    REQUIRE(kr.adopt_stale());
    k.log.clear();
    REQUIRE(kr.install(route(3)));
    CHECK(k.log == std::vector<std::string>{"add 172.26.22.0/26 m3", "remove 172.26.22.0/26 m7"});
    CHECK(kr.stale() == 0);
    CHECK(kr.sweep_stale() == 0);
}

TEST_CASE("kernel: failed install is counted and retried later") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    k.fail_next_replace = ENETUNREACH;
    auto r = kr.install(route(3));
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == ENETUNREACH);
    CHECK(kr.errors() == 1);
    CHECK_FALSE(kr.installed(kP));
    CHECK(kr.install(route(3)));
    CHECK(kr.installed(kP));
}

TEST_CASE("kernel: new parameters move every route") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    std::map<Prefix4, Route> table{{kP, route(3)}};
    kr.install(route(3));
    kr.set_params({189, 254, {false, 20}}, table);
    REQUIRE(k.routes.size() == 1);
    CHECK(k.routes.begin()->second.protocol == 189);
    CHECK(k.routes.begin()->second.metric == 20);
    kr.remove_all();
    CHECK(k.routes.empty());
}

TEST_CASE("kernel: an administrator's route at the same metric is never overwritten") {
    FakeKernel k;
    Route4 theirs{kP, Ipv4(10, 1, 0, 1), 3, 3, 4, 254};  // proto static, metric 3
    k.routes[{254, kP, 3}] = theirs;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    auto r = kr.install(route(3));
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == EEXIST);
    CHECK_THAT(r.error().message, Catch::Contains("already exists with another protocol"));
    CHECK(k.routes.at({254, kP, 3}) == theirs);
    CHECK_FALSE(kr.installed(kP));
    kr.remove_all();
    CHECK(k.routes.count({254, kP, 3}) == 1);  // still theirs
}

TEST_CASE("kernel: a re-add after a manual delete does not take a slot someone else filled") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3));
    Route4 gone = k.routes.begin()->second;
    Route4 theirs = gone;
    theirs.protocol = 4;
    k.routes[{254, kP, 3}] = theirs;  // deleted ours, added their own in its place
    CHECK_FALSE(kr.on_deleted(gone));
    CHECK(k.routes.at({254, kP, 3}).protocol == 4);
}

TEST_CASE("kernel: the deletion echo of another route of ours is not a manual delete") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    kr.install(route(3, Ipv4(10, 128, 0, 1)));
    Route4 first = k.routes.begin()->second;
    kr.withdraw(kP);
    kr.install(route(3, Ipv4(10, 128, 0, 2)));  // another neighbour took over, same metric
    CHECK_FALSE(kr.on_deleted(first));          // the late echo of our own withdraw
    CHECK(kr.readded() == 0);
}

TEST_CASE("kernel: a metric change on reload is make-before-break for every route") {
    FakeKernel k;
    KernelRoutes kr(k, {11, 254, {true, 1}});
    std::map<Prefix4, Route> table{{kP, route(3)}};
    kr.install(route(3));
    k.log.clear();
    kr.set_params({11, 254, {true, 5}}, table);
    CHECK(k.log == std::vector<std::string>{"add 172.26.22.0/26 m7", "remove 172.26.22.0/26 m3"});
}
