// SPDX-License-Identifier: GPL-2.0-or-later
// rtnetlink through libnl-route-3. libnl builds and parses the messages; the request/answer
// bookkeeping is ours: every exchange checks the sequence number and the sender itself and reads
// the kernel's errno from NLMSG_ERROR directly, because libnl's own error codes fold several
// errnos into one (ESRCH and ENOENT both become NLE_OBJ_NOTFOUND) and callers need the errno.
#include "netlink.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <linux/filter.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>

namespace triplay::netlink {

namespace {

struct SockFree {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct MsgFree {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
struct CbPut {
    void operator()(nl_cb* c) const { nl_cb_put(c); }
};
using SockPtr = std::unique_ptr<nl_sock, SockFree>;
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;
using CbPtr = std::unique_ptr<nl_cb, CbPut>;

// Socket buffer for event sockets: a burst of route changes (a RIP update replacing a few
// hundred routes) must not overflow it before the loop gets to read.
constexpr int kEventRcvBuf = 4 << 20;
// Large enough for any single rtnetlink datagram the kernel sends (it caps them at 32 KiB).
constexpr size_t kRecvBufBytes = 64 << 10;

// libnl error codes back to an errno, for the failures that are not the kernel's answer
// (socket setup, sending). The inverse of libnl's nl_syserr2nlerr for the common cases.
int nlerr_to_errno(int nlerr) {
    switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_INTR:
            return EINTR;
        case NLE_BAD_SOCK:
            return EBADF;
        case NLE_AGAIN:
            return EAGAIN;
        case NLE_NOMEM:
            return ENOMEM;
        case NLE_EXIST:
            return EEXIST;
        case NLE_INVAL:
            return EINVAL;
        case NLE_RANGE:
            return ERANGE;
        case NLE_MSGSIZE:
            return EMSGSIZE;
        case NLE_OPNOTSUPP:
            return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT:
            return EAFNOSUPPORT;
        case NLE_OBJ_NOTFOUND:
            return ENOENT;
        case NLE_NOATTR:
            return ENOENT;
        case NLE_BUSY:
            return EBUSY;
        case NLE_PERM:
            return EPERM;
        case NLE_NOACCESS:
            return EACCES;
        case NLE_NODEV:
            return ENODEV;
        case NLE_PROTO_MISMATCH:
            return EPROTONOSUPPORT;
        default:
            return EIO;
    }
}

tl::unexpected<Error> nl_fail(int nlerr, std::string_view what) {
    return os_fail(nlerr_to_errno(nlerr), "{} (libnl: {})", what, nl_geterror(nlerr));
}

Ipv4 ipv4_of(nl_addr* a) {
    if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != 4) return Ipv4();
    in_addr in{};
    std::memcpy(&in, nl_addr_get_binary_addr(a), sizeof in);
    return Ipv4::from_in_addr(in);
}

std::optional<Route4> to_route(rtnl_route* r) {
    if (rtnl_route_get_family(r) != AF_INET || rtnl_route_get_type(r) != RTN_UNICAST)
        return std::nullopt;
    Route4 out;
    nl_addr* dst = rtnl_route_get_dst(r);
    unsigned len = dst ? nl_addr_get_prefixlen(dst) : 0;
    out.dst = Prefix4(ipv4_of(dst), static_cast<uint8_t>(len > 32 ? 32 : len));
    // A multipath route is reported by its first hop: the daemons install single-hop routes,
    // so this is only what they see of someone else's.
    if (rtnl_route_get_nnexthops(r) > 0) {
        rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
        out.gateway = ipv4_of(rtnl_route_nh_get_gateway(nh));
        out.ifindex = rtnl_route_nh_get_ifindex(nh);
    }
    out.metric = rtnl_route_get_priority(r);
    out.protocol = rtnl_route_get_protocol(r);
    out.table = rtnl_route_get_table(r);
    return out;
}

std::optional<Link> to_link(rtnl_link* l) {
    // RTM_NEWLINK with AF_BRIDGE carries a bridge port's state, not a new interface.
    if (rtnl_link_get_family(l) != AF_UNSPEC) return std::nullopt;
    Link out;
    out.ifindex = rtnl_link_get_ifindex(l);
    if (const char* name = rtnl_link_get_name(l)) out.name = name;
    out.flags = rtnl_link_get_flags(l);
    out.mtu = rtnl_link_get_mtu(l);
    nl_addr* mac = rtnl_link_get_addr(l);
    if (mac && nl_addr_get_len(mac) == 6) {
        std::array<uint8_t, 6> b{};
        std::memcpy(b.data(), nl_addr_get_binary_addr(mac), b.size());
        out.mac = Mac(b);
    }
    return out;
}

std::optional<Addr> to_addr(rtnl_addr* a) {
    if (rtnl_addr_get_family(a) != AF_INET) return std::nullopt;
    Addr out;
    out.ifindex = rtnl_addr_get_ifindex(a);
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
    nl_addr* local = rtnl_addr_get_local(a);
    out.addr.addr = ipv4_of(local);
    int len = rtnl_addr_get_prefixlen(a);
    out.addr.len = static_cast<uint8_t>(len < 0 ? 0 : len > 32 ? 32 : len);
    return out;
}

// Turns one rtnetlink message into an Event, if it is one we report.
std::optional<Event> to_event(nl_msg* msg) {
    struct Ctx {
        uint16_t type;
        std::optional<Event> event;
    } ctx{nlmsg_hdr(msg)->nlmsg_type, std::nullopt};
    auto parsed = [](nl_object* obj, void* arg) {
        auto* c = static_cast<Ctx*>(arg);
        std::string_view kind = nl_object_get_type(obj);
        Change change =
            (c->type == RTM_DELLINK || c->type == RTM_DELADDR || c->type == RTM_DELROUTE)
                ? Change::Del
                : Change::New;
        // libnl's object types are opaque C structs "derived" from nl_object; its own API
        // converts between them with casts, and the type string tells which one this is.
        if (kind == "route/route") {
            if (auto r = to_route(reinterpret_cast<rtnl_route*>(obj)))
                c->event = RouteEvent{change, *r};
        } else if (kind == "route/link") {
            if (auto l = to_link(reinterpret_cast<rtnl_link*>(obj)))
                c->event = LinkEvent{change, *l};
        } else if (kind == "route/addr") {
            if (auto a = to_addr(reinterpret_cast<rtnl_addr*>(obj)))
                c->event = AddrEvent{change, *a};
        }
    };
    if (nl_msg_parse(msg, parsed, &ctx) < 0) return std::nullopt;
    return ctx.event;
}

std::string describe(const Route4& r) {
    std::string s = r.dst.to_string();
    if (!r.gateway.is_unspecified()) s += " via " + r.gateway.to_string();
    if (r.ifindex) s += fmt::format(" dev {}", r.ifindex);
    s += fmt::format(" metric {}", r.metric);
    if (r.table != kTableMain) s += fmt::format(" table {}", r.table);
    return s;
}

// One request and its answer: the ACK/error, or a dump up to NLMSG_DONE.
struct Exchange {
    uint32_t seq = 0;
    uint32_t port = 0;
    bool done = false;
    bool interrupted = false;  // NLM_F_DUMP_INTR: the table changed during the dump
    int errnum = 0;            // from NLMSG_ERROR, positive
    std::string kernel_msg;    // extended ACK text (NLMSGERR_ATTR_MSG), if the kernel gave one
    std::function<void(nl_msg*)> on_data;
};

// The extended ACK message (Linux 4.12+): "Nexthop has invalid gateway" says more than EINVAL.
std::string ext_ack_message(nlmsghdr* h) {
    if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    auto* e = static_cast<nlmsgerr*>(nlmsg_data(h));
    // With NETLINK_CAP_ACK the request is not echoed and the TLVs follow the nlmsgerr;
    // otherwise they follow the echoed request.
    int hdrlen = static_cast<int>(sizeof(nlmsgerr));
    if (!(h->nlmsg_flags & NLM_F_CAPPED)) hdrlen = static_cast<int>(sizeof(int) + e->msg.nlmsg_len);
    if (nlmsg_datalen(h) < static_cast<int>(NLMSG_ALIGN(static_cast<unsigned>(hdrlen)))) return {};
    nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
    if (nla_parse(tb, NLMSGERR_ATTR_MAX, nlmsg_attrdata(h, hdrlen), nlmsg_attrlen(h, hdrlen),
                  nullptr) < 0)
        return {};
    nlattr* m = tb[NLMSGERR_ATTR_MSG];
    if (!m || nla_len(m) <= 0) return {};
    const char* text = static_cast<const char*>(nla_data(m));
    return std::string(text, strnlen(text, static_cast<size_t>(nla_len(m))));
}

int on_message(nl_msg* msg, void* arg) {
    auto* ex = static_cast<Exchange*>(arg);
    nlmsghdr* h = nlmsg_hdr(msg);
    // Only the kernel (port 0) answering this request counts; a late answer to an earlier
    // request that failed half way is skipped rather than taken for this one's.
    if (nlmsg_get_src(msg)->nl_pid != 0 || h->nlmsg_seq != ex->seq || h->nlmsg_pid != ex->port)
        return NL_SKIP;
    if (h->nlmsg_flags & NLM_F_DUMP_INTR) ex->interrupted = true;
    switch (h->nlmsg_type) {
        case NLMSG_DONE:
            ex->done = true;
            return NL_STOP;
        case NLMSG_NOOP:
            return NL_SKIP;
        case NLMSG_OVERRUN:
            ex->errnum = EOVERFLOW;
            ex->done = true;
            return NL_STOP;
        case NLMSG_ERROR: {
            if (nlmsg_datalen(h) < static_cast<int>(sizeof(nlmsgerr))) {
                ex->errnum = EBADMSG;
            } else {
                int error = static_cast<nlmsgerr*>(nlmsg_data(h))->error;
                ex->errnum = error < 0 ? -error : error;
                if (ex->errnum) ex->kernel_msg = ext_ack_message(h);
            }
            ex->done = true;
            return NL_STOP;
        }
        default:
            // No exception may unwind through libnl's C frames.
            try {
                if (ex->on_data) ex->on_data(msg);
            } catch (...) {
                ex->errnum = ENOMEM;
                ex->done = true;
                return NL_STOP;
            }
            return NL_SKIP;
    }
}

// Sends msg and reads until its answer is complete. Ok(errnum) carries the kernel's verdict;
// an Error means the exchange itself failed.
Result<int> exchange(nl_sock* sk, nl_msg* msg, Exchange& ex, std::string_view what) {
    int rc = nl_send_auto(sk, msg);
    if (rc < 0) return nl_fail(rc, fmt::format("{}: send", what));
    ex.seq = nlmsg_hdr(msg)->nlmsg_seq;
    ex.port = nl_socket_get_local_port(sk);
    CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb) return os_fail(ENOMEM, "{}: nl_cb_alloc", what);
    nl_cb_set(cb.get(), NL_CB_MSG_IN, NL_CB_CUSTOM, on_message, &ex);
    while (!ex.done) {
        rc = nl_recvmsgs_report(sk, cb.get());
        if (rc < 0 && !ex.done) return nl_fail(rc, fmt::format("{}: receive", what));
        if (rc == 0 && !ex.done) return os_fail(EIO, "{}: the kernel closed the socket", what);
    }
    return ex.errnum;
}

void set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

Result<SockPtr> connect_route_socket() {
    SockPtr sk(nl_socket_alloc());
    if (!sk) return os_fail(ENOMEM, "netlink: nl_socket_alloc");
    if (int rc = nl_connect(sk.get(), NETLINK_ROUTE); rc < 0)
        return nl_fail(rc, "open rtnetlink socket");
    set_cloexec(nl_socket_get_fd(sk.get()));
    return sk;
}

}  // namespace

bool Link::up() const {
    return flags & IFF_UP;
}
bool Link::running() const {
    return flags & IFF_RUNNING;
}

// ---- RouteSocket

struct RouteSocket::Impl {
    SockPtr sk;

    // Sends a dump request with `header` as the family header and hands every answer to
    // on_data. Restarts the dump (a few times) when the kernel says it was interrupted.
    Result<> dump(uint16_t type, const void* header, size_t header_len, std::string_view what,
                  const std::function<void(nl_msg*)>& on_data,
                  const std::function<void()>& on_restart) {
        for (int attempt = 0; attempt < 5; ++attempt) {
            MsgPtr msg(nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_DUMP));
            if (!msg) return os_fail(ENOMEM, "{}: nlmsg_alloc", what);
            if (int rc =
                    nlmsg_append(msg.get(), const_cast<void*>(header), header_len, NLMSG_ALIGNTO);
                rc < 0)
                return nl_fail(rc, what);
            Exchange ex;
            ex.on_data = on_data;
            auto r = exchange(sk.get(), msg.get(), ex, what);
            if (!r) return tl::unexpected(r.error());
            if (*r != 0) return os_fail(*r, "{}", what);
            if (!ex.interrupted) return {};
            on_restart();
        }
        return os_fail(EAGAIN, "{}: the kernel kept interrupting the dump", what);
    }

    // Builds an RTM_NEWROUTE / RTM_DELROUTE for r. Deletion leaves the scope at NOWHERE (any)
    // and omits zero gateway/ifindex, which the kernel treats as wildcards (fib_table_delete).
    Result<MsgPtr> route_msg(uint16_t type, uint16_t flags, const Route4& r) {
        MsgPtr msg(nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK | flags));
        if (!msg) return os_fail(ENOMEM, "nlmsg_alloc");
        rtmsg rtm{};
        rtm.rtm_family = AF_INET;
        rtm.rtm_dst_len = r.dst.len();
        rtm.rtm_table = static_cast<uint8_t>(r.table < 256 ? r.table : RT_TABLE_UNSPEC);
        rtm.rtm_protocol = r.protocol;
        rtm.rtm_type = RTN_UNICAST;
        if (type == RTM_NEWROUTE)
            rtm.rtm_scope = r.gateway.is_unspecified() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        else
            rtm.rtm_scope = RT_SCOPE_NOWHERE;
        int rc = nlmsg_append(msg.get(), &rtm, sizeof rtm, NLMSG_ALIGNTO);
        in_addr dst = r.dst.addr().to_in_addr(), gw = r.gateway.to_in_addr();
        if (rc >= 0) rc = nla_put_u32(msg.get(), RTA_TABLE, r.table);
        if (rc >= 0 && r.dst.len() > 0) rc = nla_put(msg.get(), RTA_DST, sizeof dst, &dst);
        if (rc >= 0 && (type == RTM_NEWROUTE || r.metric != 0))
            rc = nla_put_u32(msg.get(), RTA_PRIORITY, r.metric);
        if (rc >= 0 && !r.gateway.is_unspecified())
            rc = nla_put(msg.get(), RTA_GATEWAY, sizeof gw, &gw);
        if (rc >= 0 && r.ifindex != 0)
            rc = nla_put_u32(msg.get(), RTA_OIF, static_cast<uint32_t>(r.ifindex));
        if (rc < 0) return nl_fail(rc, "build route message");
        return msg;
    }

    Result<> change_route(uint16_t type, uint16_t flags, const Route4& r, std::string_view verb) {
        std::string what = fmt::format("{} route {}", verb, describe(r));
        auto msg = route_msg(type, flags, r);
        if (!msg) return os_fail(msg.error().errnum, "{}: {}", what, msg.error().message);
        Exchange ex;
        auto errnum = exchange(sk.get(), msg->get(), ex, what);
        if (!errnum) return tl::unexpected(errnum.error());
        if (*errnum == 0) return {};
        if (!ex.kernel_msg.empty()) return os_fail(*errnum, "{} ({})", what, ex.kernel_msg);
        return os_fail(*errnum, "{}", what);
    }
};

RouteSocket::RouteSocket(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RouteSocket::RouteSocket(RouteSocket&&) noexcept = default;
RouteSocket& RouteSocket::operator=(RouteSocket&&) noexcept = default;
RouteSocket::~RouteSocket() = default;

Result<RouteSocket> RouteSocket::open() {
    auto sk = connect_route_socket();
    if (!sk) return tl::unexpected(sk.error());
    // We ask for ACKs ourselves, only on requests that change something.
    nl_socket_disable_auto_ack(sk->get());
    // Let libnl size its receive buffer to the datagram, so no dump message is truncated.
    nl_socket_enable_msg_peek(sk->get());
    int fd = nl_socket_get_fd(sk->get()), one = 1;
    // Best effort: the kernel's reason in errors (Linux 4.12+), and no echo of our request.
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    auto impl = std::make_unique<Impl>();
    impl->sk = std::move(*sk);
    return RouteSocket(std::move(impl));
}

Result<> RouteSocket::replace(const Route4& r) {
    return m_impl->change_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, "add");
}

Result<> RouteSocket::add(const Route4& r) {
    return m_impl->change_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, "add");
}

Result<> RouteSocket::remove(const Route4& r) {
    // The kernel takes a zero metric or protocol in RTM_DELROUTE as "any" and would delete the
    // first route of the prefix that matches the rest, possibly someone else's. When either is
    // zero, make sure the exact route is there before asking.
    if (r.metric == 0 || r.protocol == 0) {
        auto routes = dump_routes();
        if (!routes) return tl::unexpected(routes.error());
        bool found = false;
        for (const auto& k : *routes) {
            if (k.dst == r.dst && k.table == r.table && k.metric == r.metric &&
                k.protocol == r.protocol &&
                (r.gateway.is_unspecified() || k.gateway == r.gateway) &&
                (r.ifindex == 0 || k.ifindex == r.ifindex)) {
                found = true;
                break;
            }
        }
        if (!found) return os_fail(ESRCH, "delete route {}", describe(r));
    }
    return m_impl->change_route(RTM_DELROUTE, 0, r, "delete");
}

Result<Route4> RouteSocket::lookup(Ipv4 dst) {
    std::string what = fmt::format("route lookup for {}", dst.to_string());
    MsgPtr msg(nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK));
    if (!msg) return os_fail(ENOMEM, "{}: nlmsg_alloc", what);
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    rtm.rtm_dst_len = 32;
    in_addr a = dst.to_in_addr();
    int rc = nlmsg_append(msg.get(), &rtm, sizeof rtm, NLMSG_ALIGNTO);
    if (rc >= 0) rc = nla_put(msg.get(), RTA_DST, sizeof a, &a);
    if (rc < 0) return nl_fail(rc, what);
    std::optional<Route4> found;
    Exchange ex;
    ex.on_data = [&](nl_msg* m) {
        if (auto ev = to_event(m))
            if (auto* re = std::get_if<RouteEvent>(&*ev)) found = re->route;
    };
    auto errnum = exchange(m_impl->sk.get(), msg.get(), ex, what);
    if (!errnum) return tl::unexpected(errnum.error());
    if (*errnum != 0) return os_fail(*errnum, "{}", what);
    if (!found) return os_fail(ENETUNREACH, "{}: no answer", what);
    return *found;
}

Result<std::vector<Route4>> RouteSocket::dump_routes() {
    std::vector<Route4> out;
    rtmsg hdr{};
    hdr.rtm_family = AF_INET;
    auto r = m_impl->dump(
        RTM_GETROUTE, &hdr, sizeof hdr, "dump routes",
        [&](nl_msg* msg) {
            if (auto ev = to_event(msg))
                if (auto* re = std::get_if<RouteEvent>(&*ev)) out.push_back(re->route);
        },
        [&] { out.clear(); });
    if (!r) return tl::unexpected(r.error());
    return out;
}

Result<std::vector<Link>> RouteSocket::dump_links() {
    std::vector<Link> out;
    ifinfomsg hdr{};
    hdr.ifi_family = AF_UNSPEC;
    auto r = m_impl->dump(
        RTM_GETLINK, &hdr, sizeof hdr, "dump links",
        [&](nl_msg* msg) {
            if (auto ev = to_event(msg))
                if (auto* le = std::get_if<LinkEvent>(&*ev)) out.push_back(le->link);
        },
        [&] { out.clear(); });
    if (!r) return tl::unexpected(r.error());
    return out;
}

Result<std::vector<Addr>> RouteSocket::dump_addrs() {
    std::vector<Addr> out;
    ifaddrmsg hdr{};
    hdr.ifa_family = AF_INET;
    auto r = m_impl->dump(
        RTM_GETADDR, &hdr, sizeof hdr, "dump addresses",
        [&](nl_msg* msg) {
            if (auto ev = to_event(msg))
                if (auto* ae = std::get_if<AddrEvent>(&*ev)) out.push_back(ae->addr);
        },
        [&] { out.clear(); });
    if (!r) return tl::unexpected(r.error());
    return out;
}

// ---- EventSocket

struct EventSocket::Impl {
    SockPtr sk;
    std::vector<nlmsghdr> buf;  // nlmsghdr elements keep the buffer aligned for the headers
};

EventSocket::EventSocket(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
EventSocket::EventSocket(EventSocket&&) noexcept = default;
EventSocket& EventSocket::operator=(EventSocket&&) noexcept = default;
EventSocket::~EventSocket() = default;

Result<EventSocket> EventSocket::open(unsigned groups) {
    auto sk = connect_route_socket();
    if (!sk) return tl::unexpected(sk.error());
    nl_sock* s = sk->get();
    // Multicast notifications carry sequence number 0; there is nothing to match them against.
    nl_socket_disable_seq_check(s);
    if (int rc = nl_socket_set_nonblocking(s); rc < 0)
        return nl_fail(rc, "netlink: set non-blocking");
    const std::pair<unsigned, int> wanted[] = {
        {Links, RTNLGRP_LINK},
        {Addrs, RTNLGRP_IPV4_IFADDR},
        {Routes | RouteDeletions, RTNLGRP_IPV4_ROUTE}};
    for (auto [flag, group] : wanted) {
        if (!(groups & flag)) continue;
        if (int rc = nl_socket_add_membership(s, group); rc < 0)
            return nl_fail(rc, fmt::format("netlink: join multicast group {}", group));
    }
    if ((groups & RouteDeletions) && !(groups & Routes)) {
        // Every notification is its own datagram, headed by its nlmsghdr. BPF_ABS loads are
        // big-endian, nlmsg_type is host order: compare with htons() to match on any host.
        sock_filter code[] = {
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWROUTE), 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0),
            BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
        };
        sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
        if (setsockopt(nl_socket_get_fd(s), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
            return os_fail(errno, "netlink: attach the route-deletion filter");
    }
    if (int rc = nl_socket_set_buffer_size(s, kEventRcvBuf, 0); rc < 0)
        return nl_fail(rc, "netlink: set receive buffer size");
    // SO_RCVBUF is capped by net.core.rmem_max; with CAP_NET_ADMIN the cap does not apply.
    int fd = nl_socket_get_fd(s), size = kEventRcvBuf;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    auto impl = std::make_unique<Impl>();
    impl->sk = std::move(*sk);
    impl->buf.resize(kRecvBufBytes / sizeof(nlmsghdr));
    return EventSocket(std::move(impl));
}

int EventSocket::fd() const {
    return nl_socket_get_fd(m_impl->sk.get());
}

Result<std::vector<Event>> EventSocket::drain(bool& overrun) {
    std::vector<Event> out;
    int fd = this->fd();
    for (;;) {
        sockaddr_nl from{};
        iovec iov{m_impl->buf.data(), m_impl->buf.size() * sizeof(nlmsghdr)};
        msghdr mh{};
        mh.msg_name = &from;
        mh.msg_namelen = sizeof from;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == ENOBUFS) {
                // The socket buffer overflowed and the kernel dropped notifications; what is
                // still queued is valid, so keep reading.
                overrun = true;
                continue;
            }
            return os_fail(errno, "netlink: receive events");
        }
        if (mh.msg_flags & MSG_TRUNC) {
            overrun = true;  // a datagram did not fit: its events are lost
            continue;
        }
        if (from.nl_pid != 0) continue;  // only the kernel speaks on these groups
        int left = static_cast<int>(n);
        for (nlmsghdr* h = m_impl->buf.data(); nlmsg_ok(h, left); h = nlmsg_next(h, &left)) {
            if (h->nlmsg_type == NLMSG_OVERRUN) overrun = true;
            if (h->nlmsg_type < RTM_BASE) continue;  // NOOP, ERROR, DONE: not notifications
            MsgPtr msg(nlmsg_convert(h));
            if (!msg) return os_fail(ENOMEM, "netlink: copy event");
            nlmsg_set_proto(msg.get(), NETLINK_ROUTE);
            if (auto ev = to_event(msg.get())) out.push_back(std::move(*ev));
        }
    }
    return out;
}

// ---- protocol names

namespace {
// iproute2's table (/etc/iproute2/rt_protos as shipped, and its built-in rtnl_rtprot_tab).
constexpr std::pair<uint8_t, std::string_view> kProtocols[] = {
    {0, "unspec"},    {1, "redirect"}, {2, "kernel"}, {3, "boot"},   {4, "static"},
    {8, "gated"},     {9, "ra"},       {10, "mrt"},   {11, "zebra"}, {12, "bird"},
    {13, "dnrouted"}, {14, "xorp"},    {15, "ntk"},   {16, "dhcp"},  {18, "keepalived"},
    {42, "babel"},    {99, "openr"},   {186, "bgp"},  {187, "isis"}, {188, "ospf"},
    {189, "rip"},     {192, "eigrp"},
};
}  // namespace

std::optional<uint8_t> parse_protocol(std::string_view s) {
    for (const auto& [num, name] : kProtocols)
        if (name == s) return num;
    // Plain decimal 0..255; no sign, no leading zeros beyond "0".
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v > 255) return std::nullopt;
    return static_cast<uint8_t>(v);
}

std::string protocol_name(uint8_t proto) {
    for (const auto& [num, name] : kProtocols)
        if (num == proto) return std::string(name);
    return std::to_string(proto);
}

}  // namespace triplay::netlink
