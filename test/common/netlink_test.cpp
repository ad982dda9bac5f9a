// SPDX-License-Identifier: GPL-2.0-or-later
// RouteSocket and EventSocket against the real kernel, inside a private network namespace
// made by main() before any test runs, so nothing here can touch the host's routes.
//
//   [ lo 127.0.0.1 ]      [ tp-a 10.128.0.2/24 ] ==veth== [ tp-b ]
//
// Exit 77 (skip) when the namespace cannot be created (no CAP_SYS_ADMIN, e.g. an unprivileged
// container); every other setup failure is a hard failure.
#define CATCH_CONFIG_RUNNER
#include "netlink.h"

#include <algorithm>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <poll.h>
#include <sched.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>

#include "result_printer.h"

using namespace triplay;
using namespace triplay::netlink;

namespace {

constexpr const char* kVethA = "tp-a";
constexpr const char* kVethB = "tp-b";
const IfAddr4 kVethAddr{Ipv4(10, 128, 0, 2), 24};
const Prefix4 kDst = *Prefix4::parse("172.26.22.0/26");

struct Setup {
    int lo = 0;
    int veth_a = 0;
    int veth_b = 0;
};
Setup g_setup;

// ---- namespace setup with libnl directly (independent of the code under test)

bool check(int rc, const char* what) {
    if (rc < 0) std::fprintf(stderr, "test-netlink setup: %s: %s\n", what, nl_geterror(rc));
    return rc >= 0;
}

bool set_up(nl_sock* sk, const char* name) {
    rtnl_link* link = nullptr;
    if (!check(rtnl_link_get_kernel(sk, 0, name, &link), name)) return false;
    rtnl_link* change = rtnl_link_alloc();
    rtnl_link_set_flags(change, IFF_UP);
    int rc = rtnl_link_change(sk, link, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(link);
    return check(rc, "set link up");
}

bool add_addr(nl_sock* sk, int ifindex, const IfAddr4& a) {
    rtnl_addr* addr = rtnl_addr_alloc();
    in_addr in = a.addr.to_in_addr();
    nl_addr* local = nl_addr_build(AF_INET, &in, sizeof in);
    nl_addr_set_prefixlen(local, a.len);
    rtnl_addr_set_local(addr, local);
    rtnl_addr_set_ifindex(addr, ifindex);
    int rc = rtnl_addr_add(sk, addr, 0);
    nl_addr_put(local);
    rtnl_addr_put(addr);
    return check(rc, "add address");
}

int make_namespace() {
    if (unshare(CLONE_NEWNET) < 0) {
        if (errno == EPERM) {
            std::fprintf(stderr,
                         "test-netlink: SKIP: unshare(CLONE_NEWNET) not permitted (needs "
                         "CAP_SYS_ADMIN; run the tests as root)\n");
            return 77;
        }
        std::fprintf(stderr, "test-netlink: unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
        return 1;
    }
    nl_sock* sk = nl_socket_alloc();
    if (!sk || !check(nl_connect(sk, NETLINK_ROUTE), "connect")) return 1;
    bool ok = set_up(sk, "lo") &&
              check(rtnl_link_veth_add(sk, kVethA, kVethB, getpid()), "create veth pair") &&
              set_up(sk, kVethA) && set_up(sk, kVethB);
    g_setup.lo = static_cast<int>(if_nametoindex("lo"));
    g_setup.veth_a = static_cast<int>(if_nametoindex(kVethA));
    g_setup.veth_b = static_cast<int>(if_nametoindex(kVethB));
    ok = ok && g_setup.veth_a > 0 && add_addr(sk, g_setup.veth_a, kVethAddr);
    nl_socket_free(sk);
    return ok ? 0 : 1;
}

// ---- helpers

RouteSocket open_route_socket() {
    auto rs = RouteSocket::open();
    REQUIRE(rs);
    return std::move(*rs);
}

std::vector<Route4> routes_to(RouteSocket& rs, const Prefix4& dst) {
    auto all = rs.dump_routes();
    REQUIRE(all);
    std::vector<Route4> out;
    for (const auto& r : *all)
        if (r.dst == dst) out.push_back(r);
    return out;
}

Route4 test_route(Ipv4 gateway) {
    Route4 r;
    r.dst = kDst;
    r.gateway = gateway;
    r.ifindex = g_setup.veth_a;
    r.metric = 3;
    r.protocol = 11;  // zebra
    return r;
}

// Follows an EventSocket for a test. wait_for() reads events until `match` accepts one or five
// seconds pass; events after the match that arrived in the same read are kept for the next
// call. It waits on the fd (poll), never sleeps: the kernel queues the notification before it
// answers the change that caused it.
class Events {
  public:
    explicit Events(EventSocket& es) : m_es(es) {}

    template <typename Pred>
    bool wait_for(Pred match) {
        using Clock = std::chrono::steady_clock;
        auto deadline = Clock::now() + std::chrono::seconds(5);
        for (;;) {
            while (!m_pending.empty()) {
                Event ev = std::move(m_pending.front());
                m_pending.pop_front();
                if (match(ev)) return true;
            }
            bool overrun = false;
            auto events = m_es.drain(overrun);
            REQUIRE(events);
            CHECK_FALSE(overrun);
            m_pending.insert(m_pending.end(), events->begin(), events->end());
            if (!m_pending.empty()) continue;
            auto left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            pollfd pfd{m_es.fd(), POLLIN, 0};
            REQUIRE(poll(&pfd, 1, static_cast<int>(left)) >= 0);
        }
    }

  private:
    EventSocket& m_es;
    std::deque<Event> m_pending;
};

template <typename E>
const E* as(const Event& ev) {
    return std::get_if<E>(&ev);
}

}  // namespace

int main(int argc, char** argv) {
    if (int rc = make_namespace(); rc != 0) return rc;
    return Catch::Session().run(argc, argv);
}

TEST_CASE("dump_links finds lo and both ends of the veth pair with their flags", "[netlink]") {
    auto rs = open_route_socket();
    // The kernel raises a new veth's carrier asynchronously (linkwatch): dump until vetha
    // shows it, with a deadline.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto links = rs.dump_links();
    REQUIRE(links);
    auto running = [&] {
        for (const auto& l : *links)
            if (l.name == kVethA) return l.running();
        return false;
    };
    while (!running() && std::chrono::steady_clock::now() < deadline) {
        pollfd none{-1, 0, 0};
        poll(&none, 0, 20);  // the dump is the condition; this only paces the retries
        links = rs.dump_links();
        REQUIRE(links);
    }
    const Link* lo = nullptr;
    const Link* a = nullptr;
    const Link* b = nullptr;
    for (const auto& l : *links) {
        if (l.name == "lo") lo = &l;
        if (l.name == kVethA) a = &l;
        if (l.name == kVethB) b = &l;
    }
    REQUIRE(lo);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(lo->ifindex == g_setup.lo);
    CHECK(lo->up());
    CHECK(lo->mtu == 65536);
    CHECK(a->ifindex == g_setup.veth_a);
    CHECK(a->up());
    CHECK(a->running());  // carrier: the peer is up too
    CHECK(a->mtu == 1500);
    CHECK_FALSE(a->mac == Mac());  // veth gets a random, non-zero address
    CHECK(b->ifindex == g_setup.veth_b);
}

TEST_CASE("dump_addrs finds the veth address with its prefix length", "[netlink]") {
    auto rs = open_route_socket();
    auto addrs = rs.dump_addrs();
    REQUIRE(addrs);
    bool found_veth = false, found_lo = false;
    for (const auto& a : *addrs) {
        if (a.ifindex == g_setup.veth_a && a.addr == kVethAddr) found_veth = true;
        if (a.ifindex == g_setup.lo && a.addr == IfAddr4{Ipv4(127, 0, 0, 1), 8}) found_lo = true;
    }
    CHECK(found_veth);
    CHECK(found_lo);
}

TEST_CASE("dump_routes reports unicast routes of every table, not local or broadcast ones",
          "[netlink]") {
    auto rs = open_route_socket();
    auto connected = routes_to(rs, *Prefix4::parse("10.128.0.0/24"));
    REQUIRE(connected.size() == 1);
    CHECK(connected[0].ifindex == g_setup.veth_a);
    CHECK(connected[0].gateway.is_unspecified());
    CHECK(connected[0].protocol == 2);  // kernel
    CHECK(connected[0].table == kTableMain);
    // 10.128.0.2/32 exists only as a local route (table local): it must not be reported.
    CHECK(routes_to(rs, *Prefix4::parse("10.128.0.2/32")).empty());

    Route4 other_table = test_route(Ipv4(10, 128, 0, 1));
    other_table.table = 1000;  // above 255: carried in RTA_TABLE only
    REQUIRE(rs.replace(other_table));
    auto found = routes_to(rs, kDst);
    REQUIRE(found.size() == 1);
    CHECK(found[0] == other_table);
    REQUIRE(rs.remove(other_table));
    CHECK(routes_to(rs, kDst).empty());
}

TEST_CASE("replace adds a route, replaces it in place, remove deletes it once", "[netlink]") {
    auto rs = open_route_socket();
    Route4 first = test_route(Ipv4(10, 128, 0, 1));
    REQUIRE(rs.replace(first));
    auto found = routes_to(rs, kDst);
    REQUIRE(found.size() == 1);
    CHECK(found[0] == first);

    // Same (table, dst, metric), new gateway: replaced, not added beside the old one.
    Route4 second = test_route(Ipv4(10, 128, 0, 9));
    REQUIRE(rs.replace(second));
    found = routes_to(rs, kDst);
    REQUIRE(found.size() == 1);
    CHECK(found[0] == second);

    REQUIRE(rs.remove(second));
    CHECK(routes_to(rs, kDst).empty());

    auto again = rs.remove(second);
    REQUIRE_FALSE(again);
    CHECK((again.error().errnum == ESRCH || again.error().errnum == ENOENT));
    CHECK(again.error().message.find("delete route 172.26.22.0/26 via 10.128.0.9") == 0);
}

TEST_CASE("lookup answers like ip route get: the output interface and gateway", "[netlink]") {
    auto rs = open_route_socket();
    Route4 r = test_route(Ipv4(10, 128, 0, 1));
    REQUIRE(rs.replace(r));
    auto hit = rs.lookup(Ipv4(r.dst.addr().value() + 1));
    REQUIRE(hit);
    CHECK(hit->ifindex == r.ifindex);
    CHECK(hit->gateway == r.gateway);
    auto miss = rs.lookup(Ipv4(192, 0, 2, 1));  // no default route in the test namespace
    REQUIRE_FALSE(miss);
    CHECK(miss.error().errnum == ENETUNREACH);
    REQUIRE(rs.remove(r));
}

TEST_CASE("add refuses to overwrite a route of another protocol at the same metric", "[netlink]") {
    auto rs = open_route_socket();
    Route4 theirs = test_route(Ipv4(10, 128, 0, 1));
    theirs.protocol = 4;  // static: the administrator's
    REQUIRE(rs.add(theirs));
    Route4 ours = test_route(Ipv4(10, 128, 0, 2));
    auto r = rs.add(ours);
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == EEXIST);
    auto routes = rs.dump_routes();
    REQUIRE(routes);
    CHECK(std::count(routes->begin(), routes->end(), theirs) == 1);
    REQUIRE(rs.remove(theirs));
}

TEST_CASE("replace reports the kernel's errno and names the route", "[netlink]") {
    auto rs = open_route_socket();
    // A gateway that is not on any connected subnet.
    Route4 unreachable = test_route(Ipv4(10, 200, 0, 1));
    auto r = rs.replace(unreachable);
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == ENETUNREACH);
    CHECK(r.error().message.find(fmt::format(
              "add route 172.26.22.0/26 via 10.200.0.1 dev {} metric 3", g_setup.veth_a)) == 0);
    CHECK(r.error().to_string().find("Network is unreachable") != std::string::npos);
    // The extended ACK text (Linux 4.12+) is passed on: it says which part was wrong.
    CHECK(r.error().message.find("invalid gateway") != std::string::npos);

    Route4 no_dev = test_route(Ipv4());  // on-link, through an interface that does not exist
    no_dev.ifindex = 9999;
    auto r2 = rs.replace(no_dev);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().errnum == ENODEV);
    CHECK(r2.error().message.find("add route 172.26.22.0/26 dev 9999 metric 3") == 0);
    CHECK(routes_to(rs, kDst).empty());
}

TEST_CASE("remove deletes only the route that matches every given field", "[netlink]") {
    auto rs = open_route_socket();
    Route4 mine = test_route(Ipv4(10, 128, 0, 1));
    REQUIRE(rs.replace(mine));

    Route4 other_proto = mine;
    other_proto.protocol = 12;
    Route4 other_gw = mine;
    other_gw.gateway = Ipv4(10, 128, 0, 7);
    Route4 other_metric = mine;
    other_metric.metric = 4;
    Route4 zero_metric = mine;  // the kernel would take metric 0 as "any metric"
    zero_metric.metric = 0;
    Route4 other_dev = mine;
    other_dev.ifindex = g_setup.lo;
    for (const Route4& wrong : {other_proto, other_gw, other_metric, zero_metric, other_dev}) {
        auto r = rs.remove(wrong);
        REQUIRE_FALSE(r);
        CHECK((r.error().errnum == ESRCH || r.error().errnum == ENOENT));
        CHECK(routes_to(rs, kDst).size() == 1);
    }

    // Zero gateway and ifindex are wildcards by design.
    Route4 any_hop = mine;
    any_hop.gateway = Ipv4();
    any_hop.ifindex = 0;
    REQUIRE(rs.remove(any_hop));
    CHECK(routes_to(rs, kDst).empty());
}

TEST_CASE("a route with metric 0 can be added and removed exactly", "[netlink]") {
    auto rs = open_route_socket();
    Route4 r = test_route(Ipv4(10, 128, 0, 1));
    r.metric = 0;
    Route4 other = test_route(Ipv4(10, 128, 0, 1));
    other.metric = 7;
    REQUIRE(rs.replace(other));
    REQUIRE(rs.replace(r));
    CHECK(routes_to(rs, kDst).size() == 2);
    REQUIRE(rs.remove(r));
    auto left = routes_to(rs, kDst);
    REQUIRE(left.size() == 1);
    CHECK(left[0].metric == 7);
    REQUIRE(rs.remove(other));
}

TEST_CASE("EventSocket sees route and address changes as they happen", "[netlink]") {
    auto es = EventSocket::open(EventSocket::Links | EventSocket::Addrs | EventSocket::Routes);
    REQUIRE(es);
    Events events(*es);
    CHECK((fcntl(es->fd(), F_GETFL) & O_NONBLOCK));
    CHECK((fcntl(es->fd(), F_GETFD) & FD_CLOEXEC));
    auto rs = open_route_socket();

    Route4 r = test_route(Ipv4(10, 128, 0, 1));
    REQUIRE(rs.replace(r));
    CHECK(events.wait_for([&](const Event& ev) {
        auto* re = as<RouteEvent>(ev);
        return re && re->change == Change::New && re->route == r;
    }));
    REQUIRE(rs.remove(r));
    CHECK(events.wait_for([&](const Event& ev) {
        auto* re = as<RouteEvent>(ev);
        return re && re->change == Change::Del && re->route == r;
    }));

    // A second address on the veth, added behind the code's back with libnl.
    nl_sock* sk = nl_socket_alloc();
    REQUIRE(nl_connect(sk, NETLINK_ROUTE) == 0);
    const IfAddr4 extra{Ipv4(10, 129, 0, 2), 24};
    REQUIRE(add_addr(sk, g_setup.veth_a, extra));
    nl_socket_free(sk);
    CHECK(events.wait_for([&](const Event& ev) {
        auto* ae = as<AddrEvent>(ev);
        return ae && ae->change == Change::New && ae->addr.ifindex == g_setup.veth_a &&
               ae->addr.addr == extra;
    }));
}

TEST_CASE("EventSocket sees a link going down", "[netlink]") {
    auto es = EventSocket::open(EventSocket::Links);
    REQUIRE(es);
    Events events(*es);
    nl_sock* sk = nl_socket_alloc();
    REQUIRE(nl_connect(sk, NETLINK_ROUTE) == 0);
    rtnl_link* link = nullptr;
    REQUIRE(rtnl_link_get_kernel(sk, 0, kVethB, &link) == 0);
    rtnl_link* change = rtnl_link_alloc();
    rtnl_link_unset_flags(change, IFF_UP);
    int rc = rtnl_link_change(sk, link, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(link);
    REQUIRE(rc == 0);
    CHECK(events.wait_for([&](const Event& ev) {
        auto* le = as<LinkEvent>(ev);
        return le && le->link.ifindex == g_setup.veth_b && !le->link.up();
    }));
    // Its peer stays administratively up but loses its carrier.
    CHECK(events.wait_for([&](const Event& ev) {
        auto* le = as<LinkEvent>(ev);
        return le && le->link.ifindex == g_setup.veth_a && le->link.up() && !le->link.running();
    }));
    REQUIRE(set_up(sk, kVethB));
    nl_socket_free(sk);
}

TEST_CASE("EventSocket subscribed to routes only ignores address changes", "[netlink]") {
    auto es = EventSocket::open(EventSocket::Routes);
    REQUIRE(es);
    Events events(*es);
    nl_sock* sk = nl_socket_alloc();
    REQUIRE(nl_connect(sk, NETLINK_ROUTE) == 0);
    REQUIRE(add_addr(sk, g_setup.veth_a, IfAddr4{Ipv4(10, 130, 0, 2), 24}));
    nl_socket_free(sk);
    // The address brings a connected route (a route event) but must bring no address event.
    bool saw_addr = false;
    CHECK(events.wait_for([&](const Event& ev) {
        if (as<AddrEvent>(ev)) saw_addr = true;
        auto* re = as<RouteEvent>(ev);
        return re && re->route.dst == *Prefix4::parse("10.130.0.0/24");
    }));
    CHECK_FALSE(saw_addr);
}

TEST_CASE("EventSocket subscribed to route deletions sees deletions, not additions", "[netlink]") {
    auto es = EventSocket::open(EventSocket::RouteDeletions);
    REQUIRE(es);
    Events events(*es);
    auto rs = open_route_socket();
    Route4 r = test_route(Ipv4(10, 128, 0, 1));
    REQUIRE(rs.replace(r));
    REQUIRE(rs.remove(r));
    // The first event to arrive must be the deletion: the addition was filtered in the kernel.
    bool saw_new = false;
    CHECK(events.wait_for([&](const Event& ev) {
        auto* re = as<RouteEvent>(ev);
        if (re && re->change == Change::New) saw_new = true;
        return re && re->change == Change::Del && re->route == r;
    }));
    CHECK_FALSE(saw_new);
}

TEST_CASE("EventSocket reports an overrun when the kernel had to drop notifications", "[netlink]") {
    auto es = EventSocket::open(EventSocket::Routes);
    REQUIRE(es);
    auto rs = open_route_socket();
    // Far more notifications than the (4 MiB) receive buffer holds, none read meanwhile.
    // They go through a veth pair of their own, deleted at the end with all its routes.
    nl_sock* sk = nl_socket_alloc();
    REQUIRE(nl_connect(sk, NETLINK_ROUTE) == 0);
    REQUIRE(rtnl_link_veth_add(sk, "tp-c", "tp-d", getpid()) == 0);
    REQUIRE(set_up(sk, "tp-c"));
    REQUIRE(set_up(sk, "tp-d"));
    int ifindex = static_cast<int>(if_nametoindex("tp-c"));
    REQUIRE(ifindex > 0);
    constexpr uint32_t kRoutes = 40000;
    for (uint32_t i = 0; i < kRoutes; ++i) {
        Route4 r;
        r.dst = Prefix4(Ipv4(0x0b000000 + i), 32);  // 11.0.0.0 + i
        r.ifindex = ifindex;
        r.metric = 1;
        r.protocol = 11;
        if (auto added = rs.replace(r); !added) REQUIRE(added);  // one assertion, not 40000
    }
    bool overrun = false;
    auto events = es->drain(overrun);
    REQUIRE(events);
    CHECK(overrun);
    CHECK(events->size() < kRoutes);  // some were lost...
    CHECK_FALSE(events->empty());     // ...but what was queued is still delivered

    rtnl_link* link = rtnl_link_alloc();
    rtnl_link_set_name(link, "tp-c");
    CHECK(rtnl_link_delete(sk, link) == 0);
    rtnl_link_put(link);
    nl_socket_free(sk);
}
