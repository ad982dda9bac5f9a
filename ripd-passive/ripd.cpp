// SPDX-License-Identifier: GPL-2.0-or-later
#include "ripd.h"

#include <unistd.h>

#include "daemon.h"
#include "state_file.h"

namespace ripd {

using triplay::log::Level;
namespace nl = triplay::netlink;

namespace {
constexpr size_t kReadBudget = 256;  // datagrams per wakeup before yielding to other events

long secs(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
}  // namespace

Ripd::Ripd(triplay::EventLoop& loop, Config cfg, RipSocket sock, nl::RouteSocket rtnl,
           nl::EventSocket events)
    : m_loop(loop),
      m_cfg(std::move(cfg)),
      m_sock(std::move(sock)),
      m_rtnl(std::move(rtnl)),
      m_events(std::move(events)),
      m_backend(m_rtnl),
      m_kernel(m_backend, KernelParams::from(m_cfg)),
      m_table({m_cfg.timeout, m_cfg.garbage}, m_cfg.max_routes),
      m_buf(kMaxPacket),
      m_started(Clock::now()),
      m_drop_log(kDropCount, triplay::log::RateLimiter(5, std::chrono::seconds(30))),
      m_state(loop, [this] { return state_json(); }) {
    m_state.set_path(m_cfg.state_file);
}

triplay::Result<> Ripd::start() {
    auto links = m_rtnl.dump_links();
    if (!links) return tl::unexpected(links.error());
    for (const auto& l : *links) on_link(l, false);
    auto addrs = m_rtnl.dump_addrs();
    if (!addrs) return tl::unexpected(addrs.error());
    for (const auto& a : *addrs) on_addr(a, false);

    auto adopted = m_kernel.adopt_stale();
    if (!adopted) return tl::unexpected(adopted.error());
    if (*adopted) {
        triplay::log::notice("found {} routes of protocol {} from an earlier run: kept until the "
                             "neighbours confirm them, removed in {}s if they do not",
                             *adopted, nl::protocol_name(m_cfg.proto), m_cfg.timeout.count());
        m_loop.add_timer(Clock::now() + m_cfg.timeout, [this] {
            if (size_t n = m_kernel.sweep_stale())
                triplay::log::notice("removed {} routes of an earlier run nobody announced again", n);
            m_state.changed();
        });
    }

    for (const auto& ic : m_cfg.interfaces) {
        bool found = false;
        for (auto& [ifindex, l] : m_links) found |= l.name == ic.name;
        if (!found)
            triplay::log::notice("interface {} does not exist yet; listening as soon as it appears",
                                 ic.name);
    }
    if (auto r = m_loop.add_reader(m_sock.fd(), [this] { on_readable(); }); !r) return r;
    if (auto r = m_loop.add_reader(m_events.fd(), [this] { on_netlink(); }); !r) return r;
    m_state.changed();  // not now: main may still detach, and the file names our pid
    return {};
}

const IfaceConfig* Ripd::config_for(int ifindex) const {
    auto it = m_links.find(ifindex);
    return it == m_links.end() ? nullptr : m_cfg.find_interface(it->second.name);
}

std::string Ripd::ifname(int ifindex) const {
    auto it = m_links.find(ifindex);
    return it == m_links.end() ? fmt::format("ifindex {}", ifindex) : it->second.name;
}

void Ripd::on_readable() {
    for (size_t n = 0; n < kReadBudget; ++n) {
        auto d = m_sock.receive(m_buf);
        if (!d) {
            triplay::log::limited(m_kernel_log, Level::Error, "{}", d.error().to_string());
            break;
        }
        if (!*d) break;
        handle(**d, Clock::now());
    }
    apply(m_actions);
}

void Ripd::drop(Drop reason, const Datagram& d, std::string_view detail) {
    ++m_counters.drops[static_cast<size_t>(reason)];
    // Authentication problems are almost always a key mismatch the user must fix: notice.
    Level level = reason == Drop::AuthFailed || reason == Drop::AuthMissing ? Level::Notice
                                                                             : Level::Info;
    triplay::log::limited(m_drop_log[static_cast<size_t>(reason)], level,
                          "dropped {} from {}:{} on {}{}{}", drop_name(reason), d.src.to_string(),
                          d.src_port, ifname(d.ifindex), detail.empty() ? "" : ": ", detail);
    m_state.changed();
}

void Ripd::handle(const Datagram& d, TimePoint now) {
    ++m_counters.packets;
    const IfaceConfig* ic = config_for(d.ifindex);
    if (!ic) return drop(Drop::UnknownInterface, d);
    const Link& link = m_links[d.ifindex];
    RxInterface rx{*ic, link.addrs};
    if (d.truncated) return drop(Drop::BadLength, d, "larger than 64 KiB");
    if (auto reason = check_sender(rx, d.src, d.src_port)) return drop(*reason, d);
    auto p = parse(d.bytes);
    if (!p) return drop(Drop::BadLength, d, to_string(p.error()));
    if (auto reason = check_header(rx, *p))
        return drop(*reason, d, fmt::format("version {} command {}", p->version, p->command));
    if (p->command == static_cast<uint8_t>(Command::Request)) {
        // A passive listener answers nobody (RFC 2453 §3.9.1 leaves silent processes mute).
        ++m_counters.requests_ignored;
        return;
    }
    ++m_counters.responses;
    switch (check_auth(ic->auth, *p, d.bytes)) {
        case AuthVerdict::Ok: break;
        case AuthVerdict::Missing: return drop(Drop::AuthMissing, d);
        case AuthVerdict::Failed: return drop(Drop::AuthFailed, d, "wrong key, key id or type");
    }
    if (ic->auth.mode == AuthMode::Md5) {
        const auto& c = std::get<AuthCrypto>(p->auth);
        if (!m_replay.accept(d.ifindex, d.src, c.sequence, now, m_cfg.timeout))
            return drop(Drop::AuthReplay, d, fmt::format("sequence {}", c.sequence));
    }
    for (const auto& rte : p->entries) {
        auto cand = check_route(rx, d.src, p->version, rte, m_cfg.allow_default);
        if (!cand) {
            drop(cand.error(), d, fmt::format("route {}/{}", rte.addr.to_string(), rte.mask.to_string()));
            continue;
        }
        ++m_counters.routes_accepted;
        Update u = m_table.update(*cand, d.src, d.ifindex, now, m_actions);
        if (u == Update::TableFull) {
            drop(Drop::TableFull, d, fmt::format("{} (max-routes = {})", cand->prefix.to_string(),
                                                 m_cfg.max_routes));
        } else if (u == Update::Refreshed && !m_kernel.installed(cand->prefix)) {
            // An earlier install failed (e.g. next hop briefly unreachable): retry now.
            m_actions.push_back({Action::Kind::Install, m_table.routes().at(cand->prefix)});
        }
    }
}

void Ripd::apply(std::vector<Action>& actions) {
    bool changed = !actions.empty();
    for (const auto& a : actions) {
        auto res = a.kind == Action::Kind::Install ? m_kernel.install(a.route)
                                                   : m_kernel.withdraw(a.route.prefix);
        if (res) {
            triplay::log::info("{} {} via {} dev {} metric {}",
                               a.kind == Action::Kind::Install ? "installed" : "withdrew",
                               a.route.prefix.to_string(), a.route.next_hop.to_string(),
                               ifname(a.route.ifindex), a.route.metric);
        } else {
            triplay::log::limited(m_kernel_log, Level::Warning, "{} {}: {}",
                                  a.kind == Action::Kind::Install ? "installing" : "removing",
                                  a.route.prefix.to_string(), res.error().to_string());
        }
    }
    actions.clear();
    arm_table_timer();
    if (changed) m_state.changed();
}

void Ripd::arm_table_timer() {
    auto next = m_table.next_deadline();
    // Refreshes push the earliest deadline later all the time: keep the armed timer, which
    // then fires early, finds nothing due and re-arms. Re-arming on every refresh would
    // leave a cancelled entry in the loop's heap per packet.
    if (!next || (m_armed_deadline && *m_armed_deadline <= *next)) return;
    if (m_table_timer) m_loop.cancel_timer(m_table_timer);
    m_table_timer = 0;
    m_armed_deadline = next;
    m_table_timer = m_loop.add_timer(*next, [this] {
        m_table_timer = 0;
        m_armed_deadline.reset();
        m_table.expire(Clock::now(), m_actions);
        apply(m_actions);
        m_state.changed();
    });
}

void Ripd::on_netlink() {
    bool overrun = false;
    auto events = m_events.drain(overrun);
    if (!events) {
        triplay::log::limited(m_kernel_log, Level::Error, "netlink: {}", events.error().to_string());
        return;
    }
    for (const auto& ev : *events) {
        if (const auto* l = std::get_if<nl::LinkEvent>(&ev)) {
            on_link(l->link, l->change == nl::Change::Del);
        } else if (const auto* a = std::get_if<nl::AddrEvent>(&ev)) {
            on_addr(a->addr, a->change == nl::Change::Del);
        } else if (const auto* r = std::get_if<nl::RouteEvent>(&ev)) {
            if (r->change == nl::Change::Del && m_kernel.on_deleted(r->route))
                triplay::log::notice("route {} was deleted from the kernel; put it back",
                                     r->route.dst.to_string());
        }
    }
    if (overrun) {
        triplay::log::warning("netlink events were lost (socket overrun); re-reading state");
        resync();
    }
    apply(m_actions);
}

void Ripd::resync() {
    if (auto links = m_rtnl.dump_links()) {
        std::map<int, bool> seen;
        for (const auto& l : *links) {
            on_link(l, false);
            seen[l.ifindex] = true;
        }
        std::vector<int> gone;
        for (auto& [i, l] : m_links)
            if (!seen.count(i)) gone.push_back(i);
        for (int i : gone) {
            nl::Link l;
            l.ifindex = i;
            on_link(l, true);
        }
    }
    if (auto addrs = m_rtnl.dump_addrs()) {
        for (auto& [i, l] : m_links) l.addrs.clear();
        for (const auto& a : *addrs) on_addr(a, false);
        for (auto& [i, l] : m_links)
            if (const IfaceConfig* ic = config_for(i))
                m_table.drop_unreachable(i, RxInterface{*ic, l.addrs}, Clock::now(), m_actions);
    }
    // Routes deleted while we were deaf: install() re-adds what the kernel no longer has.
    if (auto routes = m_rtnl.dump_routes()) {
        std::map<Prefix4, bool> present;
        for (const auto& k : *routes)
            if (k.protocol == m_cfg.proto && k.table == m_cfg.table) present[k.dst] = true;
        for (const auto& [p, r] : m_table.routes())
            if (!r.deleting() && !present.count(p)) {
                m_kernel.withdraw(p);  // forget the stale record, then install afresh
                m_actions.push_back({Action::Kind::Install, r});
            }
    }
}

void Ripd::on_link(const nl::Link& l, bool gone) {
    auto now = Clock::now();
    auto it = m_links.find(l.ifindex);
    bool was_configured = it != m_links.end() && m_cfg.find_interface(it->second.name);
    if (gone) {
        if (it == m_links.end()) return;
        if (was_configured) {
            triplay::log::notice("{} is gone; withdrawing its routes", it->second.name);
            m_table.drop_interface(l.ifindex, now, m_actions);
        }
        // The kernel keeps a socket's membership of a vanished ifindex and allows 20 per
        // socket (igmp_max_memberships): without this, 20 delete/create cycles of a VLAN
        // device (ifdown/ifup does that) would leave the daemon deaf.
        if (it->second.joined) (void)m_sock.leave(l.ifindex);
        m_links.erase(it);
        return;
    }
    Link& link = m_links[l.ifindex];
    bool renamed = !link.name.empty() && link.name != l.name;
    bool was_up = link.up;
    if (renamed && was_configured) {
        m_table.drop_interface(l.ifindex, now, m_actions);
        if (link.joined) (void)m_sock.leave(l.ifindex);
        link.joined = false;
    }
    link.name = l.name;
    link.up = l.up() && l.running();
    const IfaceConfig* ic = m_cfg.find_interface(link.name);
    if (!ic) return;
    if (was_up && !link.up) {
        triplay::log::notice("{} went down; withdrawing its routes", link.name);
        m_table.drop_interface(l.ifindex, now, m_actions);
        link.requested = false;  // ask again when it comes back (request-on-start)
    }
    if (link.up && !was_up) triplay::log::notice("{} is up; listening for RIP", link.name);
    refresh_membership(l.ifindex);
}

void Ripd::on_addr(const nl::Addr& a, bool gone) {
    auto it = m_links.find(a.ifindex);
    if (it == m_links.end()) return;
    auto& addrs = it->second.addrs;
    auto pos = std::find(addrs.begin(), addrs.end(), a.addr);
    if (gone) {
        if (pos == addrs.end()) return;
        addrs.erase(pos);
        if (const IfaceConfig* ic = config_for(a.ifindex)) {
            triplay::log::notice("{} lost address {}/{}", it->second.name, a.addr.addr.to_string(),
                                 a.addr.len);
            m_table.drop_unreachable(a.ifindex, RxInterface{*ic, addrs}, Clock::now(), m_actions);
        }
    } else if (pos == addrs.end()) {
        addrs.push_back(a.addr);
    }
    refresh_membership(a.ifindex);
}

void Ripd::refresh_membership(int ifindex) {
    Link& link = m_links[ifindex];
    const IfaceConfig* ic = m_cfg.find_interface(link.name);
    if (!ic || !link.up) return;
    if (!link.joined) {
        if (auto r = m_sock.join(ifindex); !r) {
            // Deaf on this interface: say so every time, and try again in a while.
            triplay::log::error("{}: {}; RIP on {} is not heard (net.ipv4.igmp_max_memberships "
                                "may be too low); retrying in 10 s", link.name,
                                r.error().to_string(), link.name);
            m_loop.add_timer(Clock::now() + std::chrono::seconds(10), [this, ifindex] {
                if (m_links.count(ifindex)) refresh_membership(ifindex);
            });
            return;
        }
        link.joined = true;
        triplay::log::info("joined 224.0.0.9 on {} (ifindex {})", link.name, ifindex);
    }
    // The request needs a source address: the link is often seen before its address.
    if (m_cfg.request_on_start && !link.requested && !link.addrs.empty()) {
        link.requested = true;
        send_request(ifindex, *ic);
    }
}

void Ripd::send_request(int ifindex, const IfaceConfig& ic) {
    // RFC 2453 §3.9.1: a request for the whole table is one entry, AFI 0, metric infinity.
    Packet p;
    p.command = static_cast<uint8_t>(Command::Request);
    p.version = 2;
    p.entries.push_back(Rte{0, 0, {}, {}, {}, kInfinity});
    if (ic.auth.mode == AuthMode::Plain) p.auth = AuthPlain{ic.auth.key};
    if (ic.auth.mode == AuthMode::Md5)
        p.auth = AuthCrypto{0, ic.auth.key_id, 20, static_cast<uint32_t>(time(nullptr)), {}};
    std::array<uint8_t, 128> buf{};
    triplay::ByteWriter w(buf);
    if (!serialize(p, w)) return;
    std::span<uint8_t> out(buf.data(), w.size());
    if (ic.auth.mode == AuthMode::Md5) md5_sign(out, ic.auth.key);
    if (auto r = m_sock.send_multicast(ifindex, out); !r)
        triplay::log::warning("{}", r.error().to_string());
    else
        ++m_counters.requests_sent;
}

void Ripd::reload(Config cfg) {
    auto now = Clock::now();
    for (auto& [ifindex, link] : m_links) {
        bool before = m_cfg.find_interface(link.name) != nullptr;
        bool after = cfg.find_interface(link.name) != nullptr;
        if (before && !after) {
            m_table.drop_interface(ifindex, now, m_actions);
            if (link.joined) (void)m_sock.leave(ifindex);
            link.joined = false;
        }
    }
    // Routes learned under looser rules must not outlive the reload by a full timeout: a
    // neighbour just removed from neighbors = would otherwise keep its routes for 180 s.
    auto was = std::move(m_cfg);
    m_cfg = std::move(cfg);
    m_state.set_path(m_cfg.state_file);
    m_table.drop_where(
        [&](const Route& r) {
            const IfaceConfig* ic = config_for(r.ifindex);
            if (!ic) return true;
            const IfaceConfig* before = was.find_interface(ic->name);
            if (!before || !(before->auth == ic->auth) || before->versions != ic->versions)
                return true;
            const auto& n = ic->neighbors;
            if (!n.empty() && std::find(n.begin(), n.end(), r.source) == n.end()) return true;
            const auto& acc = ic->accept;
            if (!acc.empty() && std::none_of(acc.begin(), acc.end(),
                                             [&](const Prefix4& p) { return p.contains(r.prefix); }))
                return true;
            return r.prefix.len() < kMinPrefixWithoutDefault && !m_cfg.allow_default;
        },
        now, m_actions);
    m_table.set_limits({m_cfg.timeout, m_cfg.garbage}, m_cfg.max_routes);
    m_kernel.set_params(KernelParams::from(m_cfg), m_table.routes());
    for (auto& [ifindex, link] : m_links) refresh_membership(ifindex);
    apply(m_actions);
    triplay::log::notice("configuration reloaded: {} interfaces, {} routes",
                         m_cfg.interfaces.size(), m_table.active());
}

void Ripd::shutdown() {
    if (m_cfg.keep_routes_on_exit) {
        triplay::log::notice("exiting; leaving {} routes in the kernel (keep-routes-on-exit)",
                             m_kernel.size());
    } else {
        triplay::log::notice("exiting; removing {} routes", m_kernel.size());
        m_kernel.remove_all();
    }
    m_state.remove();
}

void Ripd::log_state() const {
    auto now = Clock::now();
    triplay::log::notice("{} routes ({} active), {} packets, {} responses, {} kernel errors",
                         m_table.routes().size(), m_table.active(), m_counters.packets,
                         m_counters.responses, m_kernel.errors());
    for (const auto& [p, r] : m_table.routes())
        triplay::log::notice("  {} via {} dev {} metric {} from {} age {}s{}", p.to_string(),
                             r.next_hop.to_string(), ifname(r.ifindex), r.metric,
                             r.source.to_string(), secs(now - r.learned),
                             r.deleting() ? " (deleting)" : "");
    for (size_t i = 0; i < kDropCount; ++i)
        if (m_counters.drops[i])
            triplay::log::notice("  dropped {}: {}", drop_name(static_cast<Drop>(i)),
                                 m_counters.drops[i]);
}

std::string Ripd::state_json() const {
    auto now = Clock::now();
    triplay::JsonWriter j;
    j.begin_object();
    j.key("daemon").value("ripd-passive");
    j.key("pid").value(static_cast<int64_t>(getpid()));
    j.key("uptime").value(static_cast<int64_t>(secs(now - m_started)));
    j.key("interfaces").begin_array();
    for (const auto& ic : m_cfg.interfaces) {
        j.begin_object().key("name").value(ic.name);
        const Link* link = nullptr;
        int index = 0;
        for (const auto& [i, l] : m_links)
            if (l.name == ic.name) link = &l, index = i;
        j.key("present").value(link != nullptr);
        if (link) {
            j.key("ifindex").value(index).key("up").value(link->up).key("joined").value(link->joined);
            j.key("addresses").begin_array();
            for (const auto& a : link->addrs) j.value(fmt::format("{}/{}", a.addr.to_string(), a.len));
            j.end_array();
        }
        j.end_object();
    }
    j.end_array();
    j.key("routes").begin_array();
    for (const auto& [p, r] : m_table.routes()) {
        j.begin_object();
        j.key("prefix").value(p.to_string());
        j.key("next-hop").value(r.next_hop.to_string());
        j.key("interface").value(ifname(r.ifindex));
        j.key("metric").value(r.metric);
        j.key("kernel-metric").value(m_kernel.kernel_metric(r));
        j.key("source").value(r.source.to_string());
        j.key("tag").value(unsigned{r.tag});
        j.key("age").value(static_cast<int64_t>(secs(now - r.learned)));
        j.key("expires-in").value(static_cast<int64_t>(secs(r.deadline - now)));
        j.key("state").value(r.deleting() ? "deleting" : "active");
        j.key("in-kernel").value(m_kernel.installed(p));
        j.end_object();
    }
    j.end_array();
    j.key("counters").begin_object();
    j.key("packets").value(m_counters.packets);
    j.key("responses").value(m_counters.responses);
    j.key("requests-ignored").value(m_counters.requests_ignored);
    j.key("requests-sent").value(m_counters.requests_sent);
    j.key("routes-accepted").value(m_counters.routes_accepted);
    j.key("kernel-errors").value(m_kernel.errors());
    j.key("kernel-readded").value(m_kernel.readded());
    j.end_object();
    j.key("drops").begin_object();
    for (size_t i = 0; i < kDropCount; ++i)
        j.key(drop_name(static_cast<Drop>(i))).value(m_counters.drops[i]);
    j.end_object();
    j.end_object();
    return j.str() + "\n";
}

}  // namespace ripd
