// SPDX-License-Identifier: GPL-2.0-or-later
#include "mroute.h"

#include <linux/mroute.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "bytes.h"

namespace igmp {

using triplay::os_fail;

std::optional<Upcall> parse_upcall(std::span<const uint8_t> bytes) {
    // struct igmpmsg: unused1 (4), unused2 (4), im_msgtype, im_mbz, im_vif, im_vif_hi,
    // im_src (4), im_dst (4), both in network order.
    triplay::ByteReader r(bytes);
    r.skip(8);
    uint8_t type = r.u8();
    uint8_t mbz = r.u8();
    uint8_t vif_lo = r.u8();
    uint8_t vif_hi = r.u8();
    Ipv4 src = r.ipv4();
    Ipv4 dst = r.ipv4();
    if (!r.ok() || mbz != 0) return std::nullopt;
    if (type < 1 || type > 4) return std::nullopt;
    return Upcall{static_cast<Upcall::Kind>(type), vif_hi << 8 | vif_lo, src, dst};
}

namespace {
Result<> setopt(int fd, int level, int name, const void* v, socklen_t len, const char* what) {
    if (setsockopt(fd, level, name, v, len) < 0) return os_fail(errno, "setsockopt {}", what);
    return {};
}
}  // namespace

Result<MrouteSocket> MrouteSocket::open() {
    triplay::UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IGMP));
    if (!fd) {
        int e = errno;
        if (e == EPERM || e == EACCES)
            return os_fail(e, "raw IGMP socket: run as root or with CAP_NET_RAW and CAP_NET_ADMIN");
        return os_fail(e, "raw IGMP socket");
    }
    int one = 1;
    if (setsockopt(fd.get(), IPPROTO_IP, MRT_INIT, &one, sizeof one) < 0) {
        int e = errno;
        if (e == EADDRINUSE)
            return os_fail(e, "MRT_INIT: another multicast routing daemon (igmpproxy, smcroute, "
                              "pimd, mrouted) owns the kernel's multicast routing table; stop it");
        if (e == ENOPROTOOPT)
            return os_fail(e, "MRT_INIT: this kernel has no multicast routing "
                              "(CONFIG_IP_MROUTE)");
        return os_fail(e, "MRT_INIT");
    }
    auto r = setopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one, "IP_PKTINFO");
    int zero = 0, ttl = 1;
    if (r) r = setopt(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero, "IP_MULTICAST_LOOP");
    if (r) r = setopt(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl, "IP_MULTICAST_TTL");
    // RFC 2113 Router Alert, required on IGMP messages (RFC 2236 §2, RFC 3376 §4).
    const uint8_t router_alert[4] = {IPOPT_RA, 4, 0, 0};
    if (r) r = setopt(fd.get(), IPPROTO_IP, IP_OPTIONS, router_alert, sizeof router_alert, "IP_OPTIONS");
    if (!r) return tl::unexpected(r.error());
    return MrouteSocket(std::move(fd));
}

Result<> MrouteSocket::add_vif(int vif, int ifindex, uint8_t threshold, uint32_t rate_limit_kbps) {
    vifctl vc{};
    vc.vifc_vifi = static_cast<vifi_t>(vif);
    vc.vifc_flags = VIFF_USE_IFINDEX;
    vc.vifc_threshold = threshold;
    vc.vifc_rate_limit = rate_limit_kbps;
    vc.vifc_lcl_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof vc) < 0)
        return os_fail(errno, "MRT_ADD_VIF {} (ifindex {})", vif, ifindex);
    return {};
}

Result<> MrouteSocket::del_vif(int vif) {
    vifctl vc{};
    vc.vifc_vifi = static_cast<vifi_t>(vif);
    if (setsockopt(m_fd.get(), IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof vc) < 0 && errno != EADDRNOTAVAIL)
        return os_fail(errno, "MRT_DEL_VIF {}", vif);
    return {};
}

Result<> MrouteSocket::add_mfc(Ipv4 source, Ipv4 group, int parent_vif,
                               const std::array<uint8_t, kMaxVifs>& ttls) {
    mfcctl mc{};
    mc.mfcc_origin = source.to_in_addr();
    mc.mfcc_mcastgrp = group.to_in_addr();
    mc.mfcc_parent = static_cast<vifi_t>(parent_vif);
    std::memcpy(mc.mfcc_ttls, ttls.data(), kMaxVifs);
    if (setsockopt(m_fd.get(), IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof mc) < 0)
        return os_fail(errno, "MRT_ADD_MFC ({}, {})", source.to_string(), group.to_string());
    return {};
}

Result<> MrouteSocket::del_mfc(Ipv4 source, Ipv4 group) {
    mfcctl mc{};
    mc.mfcc_origin = source.to_in_addr();
    mc.mfcc_mcastgrp = group.to_in_addr();
    if (setsockopt(m_fd.get(), IPPROTO_IP, MRT_DEL_MFC, &mc, sizeof mc) < 0 && errno != ENOENT)
        return os_fail(errno, "MRT_DEL_MFC ({}, {})", source.to_string(), group.to_string());
    return {};
}

Result<SgCount> MrouteSocket::sg_count(Ipv4 source, Ipv4 group) {
    sioc_sg_req req{};
    req.src = source.to_in_addr();
    req.grp = group.to_in_addr();
    if (ioctl(m_fd.get(), SIOCGETSGCNT, &req) < 0)
        return os_fail(errno, "SIOCGETSGCNT ({}, {})", source.to_string(), group.to_string());
    return SgCount{req.pktcnt, req.bytecnt, req.wrong_if};
}

Result<> MrouteSocket::join(int ifindex, Ipv4 group) {
    ip_mreqn m{};
    m.imr_multiaddr = group.to_in_addr();
    m.imr_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 && errno != EADDRINUSE)
        return os_fail(errno, "join {} on ifindex {}", group.to_string(), ifindex);
    return {};
}

Result<> MrouteSocket::leave(int ifindex, Ipv4 group) {
    ip_mreqn m{};
    m.imr_multiaddr = group.to_in_addr();
    m.imr_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m) < 0 &&
        errno != EADDRNOTAVAIL && errno != ENODEV)
        return os_fail(errno, "leave {} on ifindex {}", group.to_string(), ifindex);
    return {};
}

Result<std::optional<Received>> MrouteSocket::receive(std::span<uint8_t> buf) {
    return triplay::receive_pktinfo(m_fd.get(), buf, "the IGMP socket");
}

Result<> MrouteSocket::send(int ifindex, Ipv4 dst, std::span<const uint8_t> igmp_message) {
    ip_mreqn mr{};
    mr.imr_ifindex = ifindex;
    if (setsockopt(m_fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0)
        return os_fail(errno, "IP_MULTICAST_IF ifindex {}", ifindex);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr = dst.to_in_addr();
    if (sendto(m_fd.get(), igmp_message.data(), igmp_message.size(), 0,
               reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        return os_fail(errno, "send IGMP to {} on ifindex {}", dst.to_string(), ifindex);
    return {};
}

}  // namespace igmp
