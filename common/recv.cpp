// SPDX-License-Identifier: GPL-2.0-or-later
#include "recv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace triplay {

Result<std::optional<Received>> receive_pktinfo(int fd, std::span<uint8_t> buf, const char* what) {
    sockaddr_in from{};
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::nullopt;
        return os_fail(errno, "recvmsg on {}", what);
    }
    Received r;
    r.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    r.bytes = buf.first(std::min(static_cast<size_t>(n), buf.size()));
    if (msg.msg_namelen >= sizeof from && from.sin_family == AF_INET) {
        r.src = Ipv4::from_in_addr(from.sin_addr);
        r.src_port = ntohs(from.sin_port);
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo pi;
            std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
            r.ifindex = pi.ipi_ifindex;
        }
    }
    return r;
}

}  // namespace triplay
