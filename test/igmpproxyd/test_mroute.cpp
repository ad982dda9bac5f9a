// SPDX-License-Identifier: GPL-2.0-or-later
// MrouteSocket against the real kernel, in a private network namespace: VIFs, MFC entries,
// packet counters, and the NOCACHE upcall a multicast packet without a cache entry raises.
//
//   +- sender ns -----+          +- test's own ns ---------------------------------------------+
//   | peer0 10.0.0.2  |--veth--  | up0 10.0.0.1 [VIF 0]  MRT  [VIF 1] dn0 10.1.0.1 --veth-- dnp0 |
//   | -> 239.0.2.10   |          |                                   (receiver joined on dnp0)  |
//   +-----------------+          +--------------------------------------------------------------+
// The sender needs a namespace of its own: a packet whose source is a local address is a
// martian to the kernel and never reaches multicast routing.
#define CATCH_CONFIG_RUNNER
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mroute.h"
#include "unique_fd.h"

using namespace igmp;
using triplay::UniqueFd;

namespace {

const Ipv4 kSender(10, 0, 0, 2), kGroup(239, 0, 2, 10);
std::string g_sender_ns;

void remove_sender_ns() {
    if (!g_sender_ns.empty()) (void)std::system(("ip netns del " + g_sender_ns).c_str());
}

int make_namespace() {
    if (unshare(CLONE_NEWNET) < 0) {
        std::fprintf(stderr, "test-mroute: SKIP: unshare(CLONE_NEWNET): %s (run as root)\n",
                     std::strerror(errno));
        return errno == EPERM ? 77 : 1;
    }
    g_sender_ns = "triplay-mroute-" + std::to_string(getpid());
    std::string setup =
        "ip netns add " + g_sender_ns + " && ip link set lo up && "
        "ip link add up0 type veth peer name peer0 netns " + g_sender_ns + " && "
        "ip link add dn0 type veth peer name dnp0 && "
        "ip addr add 10.0.0.1/24 dev up0 && ip -n " + g_sender_ns + " addr add 10.0.0.2/24 dev peer0 && "
        "ip addr add 10.1.0.1/24 dev dn0 && ip addr add 10.1.0.2/24 dev dnp0 && "
        "ip -n " + g_sender_ns + " link set peer0 up && "
        "for i in up0 dn0 dnp0; do ip link set $i up; done";
    std::atexit(remove_sender_ns);
    if (std::system(setup.c_str()) != 0) {
        std::fprintf(stderr, "test-mroute: SKIP: cannot build the veth topology (iproute2?)\n");
        return 77;
    }
    return 0;
}

int ifindex(const char* name) { return static_cast<int>(if_nametoindex(name)); }

// One UDP datagram to kGroup from the sender namespace, out of peer0: it ARRIVES on up0.
void send_packet() {
    std::string cmd = "ip netns exec " + g_sender_ns +
                      " python3 -c 'import socket; s = socket.socket(socket.AF_INET, "
                      "socket.SOCK_DGRAM); s.setsockopt(socket.IPPROTO_IP, "
                      "socket.IP_MULTICAST_TTL, 8); s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, "
                      "socket.inet_aton(\"10.0.0.2\")); s.sendto(b\"mpeg-ts would be here\", "
                      "(\"239.0.2.10\", 8208))'";
    REQUIRE(std::system(cmd.c_str()) == 0);
}

// Waits (poll, with a deadline) for the first upcall on the MRT socket; IGMP packets that the
// kernel sends meanwhile (its own joins) are skipped.
std::optional<Upcall> wait_upcall(MrouteSocket& m) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<uint8_t> buf(2048);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{m.fd(), POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        while (auto r = m.receive(buf)) {
            if (!*r) break;
            if (auto u = parse_upcall((*r)->bytes)) return u;
        }
    }
    return std::nullopt;
}

bool in_mr_cache(const char* group_hex) {
    std::ifstream f("/proc/net/ip_mr_cache");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str().find(group_hex) != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
    if (int rc = make_namespace(); rc != 0) return rc;
    return Catch::Session().run(argc, argv);
}

TEST_CASE("mroute: a second multicast router is refused with advice") {
    auto a = MrouteSocket::open();
    REQUIRE(a);
    auto b = MrouteSocket::open();
    REQUIRE_FALSE(b);
    CHECK(b.error().errnum == EADDRINUSE);
    CHECK_THAT(b.error().message, Catch::Contains("another multicast routing daemon"));
}

TEST_CASE("mroute: NOCACHE upcall, MFC entry, forwarding and counters") {
    auto m = MrouteSocket::open();
    REQUIRE(m);
    REQUIRE(m->add_vif(0, ifindex("up0"), 1, 0));
    REQUIRE(m->add_vif(1, ifindex("dn0"), 1, 0));

    send_packet();
    auto up = wait_upcall(*m);
    REQUIRE(up);
    CHECK(up->kind == Upcall::Kind::NoCache);
    CHECK(up->vif == 0);
    CHECK(up->source == kSender);
    CHECK(up->group == kGroup);

    // A receiver behind dn0.
    UniqueFd rx(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int one = 1;
    setsockopt(rx.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in bind_to{};
    bind_to.sin_family = AF_INET;
    bind_to.sin_port = htons(8208);
    REQUIRE(bind(rx.get(), reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to) == 0);
    ip_mreqn join{};
    join.imr_multiaddr = kGroup.to_in_addr();
    join.imr_ifindex = ifindex("dnp0");
    REQUIRE(setsockopt(rx.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) == 0);

    std::array<uint8_t, kMaxVifs> ttls{};
    ttls[1] = 1;
    REQUIRE(m->add_mfc(kSender, kGroup, 0, ttls));
    CHECK(in_mr_cache("0A0200EF"));  // 239.0.2.10 as the kernel prints it (host order hex)

    send_packet();
    pollfd p{rx.get(), POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);  // forwarded by the kernel from up0 to dn0
    char buf[64];
    CHECK(recv(rx.get(), buf, sizeof buf, 0) > 0);
    auto c = m->sg_count(kSender, kGroup);
    REQUIRE(c);
    CHECK(c->packets >= 1);

    REQUIRE(m->del_mfc(kSender, kGroup));
    CHECK_FALSE(in_mr_cache("0A0200EF"));
    CHECK(m->del_mfc(kSender, kGroup));  // already gone: fine
    CHECK_FALSE(m->sg_count(kSender, kGroup));
    REQUIRE(m->del_vif(1));
    REQUIRE(m->del_vif(0));
}

TEST_CASE("mroute: closing the socket removes our VIFs and MFC entries") {
    {
        auto m = MrouteSocket::open();
        REQUIRE(m);
        REQUIRE(m->add_vif(0, ifindex("up0"), 1, 0));
        REQUIRE(m->add_vif(1, ifindex("dn0"), 1, 0));
        std::array<uint8_t, kMaxVifs> ttls{};
        ttls[1] = 1;
        REQUIRE(m->add_mfc(kSender, kGroup, 0, ttls));
        CHECK(in_mr_cache("0A0200EF"));
    }
    CHECK_FALSE(in_mr_cache("0A0200EF"));
    std::ifstream vifs("/proc/net/ip_mr_vif");
    std::stringstream ss;
    ss << vifs.rdbuf();
    CHECK(ss.str().find("up0") == std::string::npos);
}

TEST_CASE("mroute: upcalls parse from bytes; IGMP datagrams are not upcalls") {
    // struct igmpmsg: 8 unused bytes, type 1 (NOCACHE), mbz 0, vif 2, vif_hi 0, src, dst.
    std::vector<uint8_t> up = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 172, 26, 80, 10, 239, 0, 2, 10};
    auto u = parse_upcall(up);
    REQUIRE(u);
    CHECK(u->vif == 2);
    CHECK(u->source == Ipv4(172, 26, 80, 10));
    CHECK(u->group == Ipv4(239, 0, 2, 10));
    auto igmp_dgram = up;
    igmp_dgram[9] = 2;  // the IP header's protocol byte: IGMP
    CHECK_FALSE(parse_upcall(igmp_dgram));
    CHECK_FALSE(parse_upcall(std::span(up).first(19)));  // truncated
    auto bad_type = up;
    bad_type[8] = 9;
    CHECK_FALSE(parse_upcall(bad_type));
}
