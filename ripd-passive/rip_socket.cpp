// SPDX-License-Identifier: GPL-2.0-or-later
#include "rip_socket.h"

#include "recv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ripd {

using triplay::Ipv4;
using triplay::os_fail;
using triplay::Result;

namespace {
constexpr Ipv4 kRipGroup(224, 0, 0, 9);  // RFC 2453 §5.2: the RIPv2 multicast group

Result<> setopt(int fd, int level, int name, int value, const char* what) {
    if (setsockopt(fd, level, name, &value, sizeof value) < 0) return os_fail(errno, "setsockopt {}", what);
    return {};
}
}  // namespace

Result<RipSocket> RipSocket::open(uint16_t port) {
    triplay::UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return os_fail(errno, "socket(AF_INET, SOCK_DGRAM)");
    if (auto r = setopt(fd.get(), IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO"); !r) return tl::unexpected(r.error());
    // Only the groups this socket joined, not every group any socket on the host joined.
    if (auto r = setopt(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL"); !r)
        return tl::unexpected(r.error());
    if (auto r = setopt(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP"); !r)
        return tl::unexpected(r.error());
    // RFC 2453 §3.9.1 / §5: RIP packets are never forwarded: TTL 1.
    if (auto r = setopt(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, 1, "IP_MULTICAST_TTL"); !r)
        return tl::unexpected(r.error());
    // A neighbour with thousands of routes sends its whole table in one burst (BIRD fills the
    // MTU: 10,000 routes are ~140 datagrams). The default 208 KiB buffer loses part of such a
    // burst, and every loss costs a full update interval. FORCE needs CAP_NET_ADMIN, which
    // we have at this point; without it the kernel caps the plain request at rmem_max.
    constexpr int kRcvBuf = 4 << 20;
    if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kRcvBuf, sizeof kRcvBuf) < 0)
        (void)setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kRcvBuf, sizeof kRcvBuf);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
        int e = errno;
        if (e == EADDRINUSE)
            return os_fail(e, "bind UDP port {}: another RIP speaker (Quagga/FRR ripd, BIRD, "
                              "routed) is already running; stop it first", port);
        if (e == EACCES)
            return os_fail(e, "bind UDP port {}: run as root or with CAP_NET_BIND_SERVICE", port);
        return os_fail(e, "bind UDP port {}", port);
    }
    return RipSocket(std::move(fd), port);
}

Result<> RipSocket::join(int ifindex) {
    ip_mreqn m{};
    m.imr_multiaddr = kRipGroup.to_in_addr();
    m.imr_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 && errno != EADDRINUSE)
        return os_fail(errno, "join 224.0.0.9 on ifindex {}", ifindex);
    return {};
}

Result<> RipSocket::leave(int ifindex) {
    ip_mreqn m{};
    m.imr_multiaddr = kRipGroup.to_in_addr();
    m.imr_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m) < 0 &&
        errno != EADDRNOTAVAIL && errno != ENODEV)
        return os_fail(errno, "leave 224.0.0.9 on ifindex {}", ifindex);
    return {};
}

Result<std::optional<Datagram>> RipSocket::receive(std::span<uint8_t> buf) {
    return triplay::receive_pktinfo(m_fd.get(), buf, "the RIP socket");
}

Result<> RipSocket::send_multicast(int ifindex, std::span<const uint8_t> payload) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(m_port);
    to.sin_addr = kRipGroup.to_in_addr();
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    iovec iov{const_cast<uint8_t*>(payload.data()), payload.size()};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo pi{};
    pi.ipi_ifindex = ifindex;
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    if (sendmsg(m_fd.get(), &msg, 0) < 0) return os_fail(errno, "send RIP request on ifindex {}", ifindex);
    return {};
}

}  // namespace ripd
