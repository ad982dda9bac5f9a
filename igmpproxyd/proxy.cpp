// SPDX-License-Identifier: GPL-2.0-or-later
#include "proxy.h"

#include <unistd.h>

#include <algorithm>

#include "preflight.h"
#include "state_file.h"
#include "sysctl.h"

namespace igmp {

using triplay::log::Level;
namespace nl = triplay::netlink;

namespace {
constexpr size_t kReadBudget = 256;
constexpr auto kSweepInterval = std::chrono::seconds(60);
// Reports per downstream interface: a flood beyond this is dropped before it costs anything.
// A whole LAN rejoining at once (50 hosts x 10 groups, each an IGMPv2 report, repeated) must
// fit in the burst: a refused genuine report delays its channel until the host repeats it.
constexpr unsigned kReportBurst = 2000;
constexpr auto kReportRefill = std::chrono::milliseconds(1);  // 1000 per second sustained

long secs(Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
}  // namespace

Proxy::Proxy(triplay::EventLoop& loop, Config cfg, MrouteSocket mrt, nl::RouteSocket rtnl,
             nl::EventSocket events)
    : m_loop(loop),
      m_cfg(std::move(cfg)),
      m_mrt(std::move(mrt)),
      m_rtnl(std::move(rtnl)),
      m_events(std::move(events)),
      m_rng(std::random_device{}()),
      m_membership(membership_config()),
      m_upstream(0, upstream_config(),
                 [this](Duration max) {
                     auto n = max.count() > 0 ? std::uniform_int_distribution<Duration::rep>(
                                                    0, max.count())(m_rng)
                                              : 0;
                     return Duration(n);
                 }),
      m_buf(65536),
      m_started(Clock::now()),
      m_state(loop, [this] { return state_json(); }) {
    m_state.set_path(m_cfg.state_file);
}

Membership::Config Proxy::membership_config() const {
    Membership::Config c;
    c.timers = querier_config().timers;
    c.quickleave = m_cfg.quickleave;
    c.max_groups = m_cfg.max_groups;
    return c;
}

Querier::Config Proxy::querier_config() const {
    Querier::Config c;
    Timers& t = c.timers;
    t.robustness = m_cfg.robustness;
    t.query_interval = m_cfg.query_interval;
    t.query_response = m_cfg.query_response_interval;
    t.last_member_interval = m_cfg.last_member_interval;
    t.last_member_count = m_cfg.last_member_count;
    t.startup_interval = m_cfg.startup_query_interval;
    t.startup_count = m_cfg.startup_query_count;
    return c;
}

UpstreamReporter::Config Proxy::upstream_config() const {
    UpstreamReporter::Config c;
    c.version = m_cfg.upstream_version;
    c.refresh = m_cfg.upstream_refresh_mode;
    c.refresh_period = m_cfg.upstream_refresh;
    c.timers = querier_config().timers;
    return c;
}

triplay::Result<> Proxy::start() {
    auto links = m_rtnl.dump_links();
    if (!links) return tl::unexpected(links.error());
    for (const auto& l : *links) on_link(l, false);
    auto addrs = m_rtnl.dump_addrs();
    if (!addrs) return tl::unexpected(addrs.error());
    for (const auto& a : *addrs) on_addr(a, false);
    auto now = Clock::now();
    sync_interfaces(now);
    if (upstream_ifindex() == 0)
        triplay::log::warning("upstream interface {} is not usable yet (missing, down or without "
                              "an address); nothing is proxied until it is", m_cfg.upstream.name);
    if (auto r = m_loop.add_reader(m_mrt.fd(), [this] { on_readable(); }); !r) return r;
    if (auto r = m_loop.add_reader(m_events.fd(), [this] { on_netlink(); }); !r) return r;
    m_loop.add_timer(now + kSweepInterval, [this] { sweep_mfc(); });
    m_state.changed();
    m_running = true;
    return {};
}

// ---- interfaces and VIFs --------------------------------------------------------------------

std::string Proxy::ifname(int ifindex) const {
    auto it = m_links.find(ifindex);
    return it == m_links.end() ? fmt::format("ifindex {}", ifindex) : it->second.name;
}

// The start-up preflight ran before the upstream existed, perhaps; say it again when it
// appears (fixing needs root, which is gone by now: fix-sysctl acts at start only).
void Proxy::check_sysctls() const {
    namespace sc = triplay::sysctl;
    const std::string& up = m_cfg.upstream.name;
    SysctlState s{sc::read_ipv4("ip_forward"), sc::read_conf("all", "rp_filter"),
                  sc::read_conf(up, "rp_filter")};
    for (const auto& f : preflight(s, up))
        triplay::log::warning("{}; run: {}", f.problem, fix_command(f.fixes));
}

int Proxy::free_vif() const {
    for (int v = 0; v < kMaxVifs; ++v) {
        bool used = std::any_of(m_links.begin(), m_links.end(),
                                [v](const auto& kv) { return kv.second.vif == v; });
        if (!used) return v;
    }
    return -1;
}

void Proxy::on_link(const nl::Link& l, bool gone) {
    auto now = Clock::now();
    auto it = m_links.find(l.ifindex);
    if (gone) {
        if (it == m_links.end()) return;
        detach(l.ifindex, it->second, now);
        m_links.erase(it);
        return;
    }
    Link& link = m_links[l.ifindex];
    if (!link.name.empty() && link.name != l.name) detach(l.ifindex, link, now);  // renamed
    link.name = l.name;
    link.up = l.up() && l.running();
    link.mtu = l.mtu ? l.mtu : 1500;
}

void Proxy::on_addr(const nl::Addr& a, bool gone) {
    auto it = m_links.find(a.ifindex);
    if (it == m_links.end()) return;
    auto& addrs = it->second.addrs;
    auto pos = std::find(addrs.begin(), addrs.end(), a.addr);
    if (gone && pos != addrs.end()) addrs.erase(pos);
    if (!gone && pos == addrs.end()) addrs.push_back(a.addr);
}

void Proxy::sync_interfaces(TimePoint now) {
    // The upstream first, so that it gets VIF 0 whenever it can.
    std::vector<int> order;
    for (auto& [i, l] : m_links)
        if (l.name == m_cfg.upstream.name) order.insert(order.begin(), i);
        else order.push_back(i);
    std::vector<Action> out;
    for (int i : order) {
        Link& l = m_links[i];
        Role role = m_cfg.role_of(l.name);
        bool wanted = role != Role::Disabled && l.up && !l.addrs.empty();
        if (wanted && l.vif < 0) attach(i, l, role, now);
        if (!wanted && l.vif >= 0) detach(i, l, now);
        if (l.vif >= 0 && role == Role::Downstream) {
            auto q = m_queriers.find(i);
            if (q != m_queriers.end() && !l.addrs.empty() && q->second.address() != l.addrs.front().addr)
                q->second.set_address(l.addrs.front().addr, now, out);
        }
    }
    apply(out, now);
}

void Proxy::attach(int ifindex, Link& link, Role role, TimePoint now) {
    int vif = free_vif();
    if (vif < 0) {
        triplay::log::error("{}: all {} multicast VIFs are in use; not proxying on it", link.name,
                            kMaxVifs);
        return;
    }
    uint8_t threshold = role == Role::Upstream ? m_cfg.upstream.threshold : 1;
    uint32_t rate = role == Role::Upstream ? m_cfg.upstream.ratelimit : 0;
    if (const Downstream* d = m_cfg.find_downstream(link.name)) {
        threshold = d->threshold;
        rate = d->ratelimit;
    }
    if (auto r = m_mrt.add_vif(vif, ifindex, threshold, rate); !r) {
        triplay::log::error("{}: {}", link.name, r.error().to_string());
        return;
    }
    link.vif = vif;
    // The kernel turns net.ipv4.conf.<if>.mc_forwarding on with the VIF (read-only for us);
    // the seed's checklist looks at it, so do we.
    auto mcf = triplay::sysctl::read_conf(link.name, "mc_forwarding");
    if (mcf && *mcf == 0)
        triplay::log::warning("{}: net.ipv4.conf.{}.mc_forwarding is still 0 after adding its "
                              "VIF: the kernel will not forward multicast on it",
                              link.name, link.name);
    std::vector<Action> out;
    if (role == Role::Upstream) {
        triplay::log::notice("{} is upstream (VIF {})", link.name, vif);
        m_upstream_if = ifindex;
        m_upstream.set_ifindex(ifindex);
        if (m_running) check_sysctls();
        // Whatever the LAN already wants is reported on the (new) upstream at once.
        m_upstream.sync(m_membership.upstream_states(), now, out);
    } else {
        triplay::log::notice("{} is downstream (VIF {})", link.name, vif);
        // v3 reports go to 224.0.0.22 and v2 leaves to 224.0.0.2: link-scope groups the
        // kernel delivers only to members (RFC 3376 §4.2.14, RFC 2236 §3).
        for (Ipv4 g : {kAllV3Routers, kAllRouters})
            if (auto r = m_mrt.join(ifindex, g); !r)
                triplay::log::error("{}: {}; IGMPv3 reports or v2 leaves will not be heard",
                                    link.name, r.error().to_string());
        const Downstream* d = m_cfg.find_downstream(link.name);
        if (!d || d->querier) {
            auto [q, _] = m_queriers.try_emplace(ifindex, ifindex, querier_config());
            q->second.set_address(link.addrs.front().addr, now, out);
        } else {
            // querier = no: another router queries this link; we never send group queries.
            m_membership.set_role(ifindex, Membership::Role::NonQuerier);
        }
    }
    apply(out, now);
}

void Proxy::detach(int ifindex, Link& link, TimePoint now) {
    if (link.vif < 0) return;
    std::vector<Action> out;
    std::vector<MfcAction> mfc;
    if (ifindex == upstream_ifindex()) {
        triplay::log::notice("upstream {} is gone or down; flows stop until it is back", link.name);
        m_fwd.clear(mfc);
        m_upstream_if = 0;
    } else {
        for (Ipv4 g : {kAllV3Routers, kAllRouters}) (void)m_mrt.leave(ifindex, g);
        triplay::log::notice("downstream {} is gone or down; its members are dropped", link.name);
        if (auto q = m_queriers.find(ifindex); q != m_queriers.end()) {
            q->second.stop(out);
            m_queriers.erase(q);
        }
        m_membership.drop_interface(ifindex, out);
    }
    if (auto r = m_mrt.del_vif(link.vif); !r)
        triplay::log::warning("{}: {}", link.name, r.error().to_string());
    link.vif = -1;
    apply_mfc(mfc);
    apply(out, now);
}

void Proxy::on_netlink() {
    bool overrun = false;
    auto events = m_events.drain(overrun);
    if (!events) {
        triplay::log::limited(m_io_log, Level::Error, "netlink: {}", events.error().to_string());
        return;
    }
    for (const auto& ev : *events) {
        if (const auto* l = std::get_if<nl::LinkEvent>(&ev))
            on_link(l->link, l->change == nl::Change::Del);
        else if (const auto* a = std::get_if<nl::AddrEvent>(&ev))
            on_addr(a->addr, a->change == nl::Change::Del);
    }
    if (overrun) {
        triplay::log::warning("netlink events were lost; re-reading interfaces");
        if (auto links = m_rtnl.dump_links()) {
            std::map<int, bool> seen;
            for (const auto& l : *links) {
                on_link(l, false);
                seen[l.ifindex] = true;
            }
            for (auto it = m_links.begin(); it != m_links.end();) {
                if (seen.count(it->first)) {
                    ++it;
                    continue;
                }
                detach(it->first, it->second, Clock::now());
                it = m_links.erase(it);
            }
        }
        if (auto addrs = m_rtnl.dump_addrs()) {
            for (auto& [i, l] : m_links) l.addrs.clear();
            for (const auto& a : *addrs) on_addr(a, false);
        }
    }
    sync_interfaces(Clock::now());
    m_state.changed();
}

// ---- IGMP and upcalls -----------------------------------------------------------------------

void Proxy::on_readable() {
    auto now = Clock::now();
    for (size_t n = 0; n < kReadBudget; ++n) {
        auto r = m_mrt.receive(m_buf);
        if (!r) {
            triplay::log::limited(m_io_log, Level::Error, "{}", r.error().to_string());
            break;
        }
        if (!*r) break;
        if (auto up = parse_upcall((*r)->bytes))
            handle_upcall(*up, now);
        else
            handle_igmp((*r)->ifindex, (*r)->bytes, now);
    }
    rearm();
}

void Proxy::drop(std::string_view reason, int ifindex, Ipv4 from) {
    ++m_counters.drops[std::string(reason)];
    auto it = m_links.find(ifindex);
    triplay::log::limited(m_drop_log, Level::Info, "dropped {} from {} on {}", reason,
                          from.to_string(), it == m_links.end() ? "?" : it->second.name);
    m_state.changed();
}

void Proxy::handle_igmp(int ifindex, std::span<const uint8_t> bytes, TimePoint now) {
    ++m_counters.igmp_received;
    auto d = parse_datagram(bytes);
    if (!d) {
        std::string reason(to_string(d.error()));
        std::replace(reason.begin(), reason.end(), ' ', '-');
        ++m_counters.drops[reason];
        triplay::log::limited(m_drop_log, Level::Info, "dropped malformed IGMP on {}: {}",
                              ifname(ifindex), to_string(d.error()));
        return;
    }
    Ipv4 src = d->ip.src;
    auto link = m_links.find(ifindex);
    if (link == m_links.end() || link->second.vif < 0) return;  // not an interface of ours
    bool upstream = ifindex == upstream_ifindex();
    std::vector<Action> out;
    if (const auto* q = std::get_if<Query>(&d->msg)) {
        ++m_counters.queries;
        // Our own queries are not looped back (IP_MULTICAST_LOOP 0); one from any of our
        // addresses would be another process on this host.
        if (upstream) {
            m_upstream.heard_query(src, *q, now, out);
        } else {
            if (auto qr = m_queriers.find(ifindex); qr != m_queriers.end())
                qr->second.heard_query(src, *q, now, out);
            m_membership.heard_query(ifindex, *q, now);
        }
    } else if (upstream) {
        return;  // other hosts' reports on the upstream link are none of our business
    } else if (const auto* r = std::get_if<Report>(&d->msg)) {
        auto [bucket, _] = m_flood.try_emplace(ifindex, kReportBurst, kReportRefill);
        if (!bucket->second.allow(now)) return drop("report-flood", ifindex, src);
        ++m_counters.reports;
        const Downstream* ds = m_cfg.find_downstream(link->second.name);
        auto allowed = [&](Ipv4 g) {
            return m_cfg.groups.allows(g) && (!ds || ds->groups.allows(g));
        };
        // Link-scope groups (our own joins of 224.0.0.2/.22 among them) are nobody's business
        // upstream (RFC 4605 §4): ignored, not counted as refusals.
        if (r->version != Version::V3) {
            if (is_link_local_group(r->group)) return;
            if (!allowed(r->group)) return drop("group-not-allowed", ifindex, src);
            Outcome o = m_membership.report(ifindex, src, *r, now, out);
            if (is_refusal(o)) drop(to_string(o), ifindex, src);
        } else {
            for (const auto& rec : r->records) {
                if (is_link_local_group(rec.group)) continue;
                if (!allowed(rec.group)) {
                    drop("group-not-allowed", ifindex, src);
                    continue;
                }
                Outcome o = m_membership.record(ifindex, src, rec, now, out);
                if (is_refusal(o)) drop(to_string(o), ifindex, src);
            }
        }
    } else if (const auto* l = std::get_if<Leave>(&d->msg)) {
        ++m_counters.leaves;
        m_membership.leave(ifindex, src, l->group, now, out);
    }
    apply(out, now);
}

bool Proxy::source_accepted(Ipv4 source) {
    int up = upstream_ifindex();
    auto it = m_links.find(up);
    if (it == m_links.end()) return false;
    for (const auto& a : it->second.addrs)
        if (a.subnet().contains(source)) return true;
    for (const auto& p : m_cfg.upstream.altnet)
        if (p.contains(source)) return true;
    if (!m_cfg.upstream.route_check) return false;
    // Any source the kernel routes back out of the upstream interface (RIP teaches it the
    // 172.26.x routes): the same test as a strict reverse-path check.
    auto r = m_rtnl.lookup(source);
    return r && r->ifindex == up;
}

std::vector<OutVif> Proxy::interest(Ipv4 source, Ipv4 group) const {
    std::vector<OutVif> v;
    for (int ifindex : m_membership.interested(source, group)) {
        auto it = m_links.find(ifindex);
        if (it == m_links.end() || it->second.vif < 0) continue;
        const Downstream* d = m_cfg.find_downstream(it->second.name);
        v.push_back({it->second.vif, d ? d->threshold : uint8_t{1}});
    }
    return v;
}

void Proxy::handle_upcall(const Upcall& u, TimePoint now) {
    ++m_counters.upcalls;
    if (u.kind != Upcall::Kind::NoCache) return;
    int up = upstream_ifindex();
    int up_vif = up ? m_links[up].vif : -1;
    GroupPolicy policy{m_cfg.groups.whitelist, m_cfg.groups.blacklist};
    bool accepted = u.vif == up_vif && source_accepted(u.source);
    auto a = m_fwd.on_nocache(u.source, u.group, u.vif, up_vif, accepted, policy,
                              [this](Ipv4 s, Ipv4 g) { return interest(s, g); }, now);
    if (!a) {
        // Not worth a log line for the LAN's own chatter (mDNS, SSDP) arriving downstream.
        ++m_counters.drops[std::string(reject_name(a.error()))];
        if (a.error() == Reject::SourceNotAccepted)
            triplay::log::limited(m_drop_log, Level::Notice,
                                  "not forwarding ({}, {}): source not on the upstream subnet, "
                                  "not in altnet and not routed via {}",
                                  u.source.to_string(), u.group.to_string(), m_cfg.upstream.name);
        return;
    }
    std::vector<MfcAction> mfc{*a};
    apply_mfc(mfc);
}

void Proxy::apply_mfc(std::vector<MfcAction>& actions) {
    for (const auto& a : actions) {
        auto r = a.kind == MfcAction::Kind::Add ? m_mrt.add_mfc(a.source, a.group, a.parent_vif, a.ttls)
                                                : m_mrt.del_mfc(a.source, a.group);
        if (!r) {
            triplay::log::limited(m_io_log, Level::Warning, "{}", r.error().to_string());
            continue;
        }
        ++(a.kind == MfcAction::Kind::Add ? m_counters.mfc_added : m_counters.mfc_removed);
        triplay::log::info("{} ({}, {})", a.kind == MfcAction::Kind::Add ? "MFC" : "MFC removed",
                           a.source.to_string(), a.group.to_string());
    }
    if (!actions.empty()) m_state.changed();
    actions.clear();
}

void Proxy::group_changed(Ipv4 group, TimePoint now, std::vector<Action>& out) {
    if (m_cfg.upstream.groups.allows(group) && m_cfg.groups.allows(group))
        m_upstream.set_membership(group, m_membership.upstream_state(group), now, out);
    std::vector<MfcAction> mfc;
    m_fwd.on_interest_changed(group, [this](Ipv4 s, Ipv4 g) { return interest(s, g); }, mfc);
    apply_mfc(mfc);
}

void Proxy::send(int ifindex, Ipv4 dst, const std::variant<Query, Report, Leave>& msg) {
    std::array<uint8_t, 1500> buf{};
    triplay::ByteWriter w(buf);
    bool ok = std::visit([&](const auto& m) { return serialize(m, w); }, msg);
    if (!ok) return;
    if (auto r = m_mrt.send(ifindex, dst, w.written()); !r) {
        triplay::log::limited(m_io_log, Level::Warning, "{}", r.error().to_string());
        return;
    }
    ++m_counters.sent;
}

void Proxy::apply(std::vector<Action>& actions, TimePoint now) {
    // Handling an action may produce more (a join produces an upstream report).
    for (size_t i = 0; i < actions.size(); ++i) {
        Action a = actions[i];
        std::vector<Action> more;
        if (const auto* j = std::get_if<GroupJoined>(&a)) {
            triplay::log::info("{} joined on {}", j->group.to_string(), ifname(j->ifindex));
            group_changed(j->group, now, more);
        } else if (const auto* l = std::get_if<GroupLeft>(&a)) {
            triplay::log::info("{} left on {}", l->group.to_string(), ifname(l->ifindex));
            group_changed(l->group, now, more);
        } else if (const auto* c = std::get_if<SourcesChanged>(&a)) {
            group_changed(c->group, now, more);
        } else if (const auto* q = std::get_if<SendGroupQuery>(&a)) {
            // RFC 3376 §6.6.3: group(-and-source)-specific query to the group, Max Resp =
            // Last Member Query Interval. v2 and v1 hosts answer a v3 query too (§7.2.1).
            Query query;
            query.version = querier_config().version;
            query.group = q->group;
            query.sources = q->sources;
            auto tenths = std::chrono::duration_cast<Deciseconds>(m_cfg.last_member_interval).count();
            query.max_resp_code =
                query.version == Version::V3
                    ? encode_exp_code(static_cast<uint32_t>(tenths))
                    : static_cast<uint8_t>(std::clamp<int64_t>(tenths, 1, 255));
            query.qrv = static_cast<uint8_t>(std::min(m_cfg.robustness, 7u));
            query.qqic = encode_exp_code(static_cast<uint32_t>(m_cfg.query_interval.count()));
            send(q->ifindex, q->group, query);
        } else if (const auto* g = std::get_if<SendGeneralQuery>(&a)) {
            Query query;
            query.version = g->version;
            auto tenths = std::chrono::duration_cast<Deciseconds>(g->max_resp).count();
            query.max_resp_code = g->version == Version::V3
                                      ? encode_exp_code(static_cast<uint32_t>(tenths))
                                      : static_cast<uint8_t>(std::clamp<int64_t>(tenths, 1, 255));
            query.qrv = static_cast<uint8_t>(std::min(m_cfg.robustness, 7u));
            query.qqic = encode_exp_code(static_cast<uint32_t>(m_cfg.query_interval.count()));
            send(g->ifindex, kAllSystems, query);
        } else if (const auto* b = std::get_if<BecameQuerier>(&a)) {
            triplay::log::notice("querier on {} ({})", ifname(b->ifindex), b->address.to_string());
            m_membership.set_role(b->ifindex, Membership::Role::Querier);
        } else if (const auto* lq = std::get_if<LostQuerier>(&a)) {
            if (lq->other.is_unspecified())
                triplay::log::info("no longer querier on {}", ifname(lq->ifindex));
            else
                triplay::log::notice("{} is the querier on {}; standing by",
                                     lq->other.to_string(), ifname(lq->ifindex));
            m_membership.set_role(lq->ifindex, Membership::Role::NonQuerier);
        } else if (const auto* o = std::get_if<OlderQuerierHeard>(&a)) {
            triplay::log::limited(m_drop_log, Level::Notice, "IGMPv{} querier {} on {}",
                                  static_cast<int>(o->version), o->querier.to_string(),
                                  ifname(o->ifindex));
        } else if (const auto* s = std::get_if<SendReport>(&a)) {
            std::visit([&](const auto& m) { send(s->ifindex, s->dst, m); }, s->msg);
        } else if (const auto* v = std::get_if<UpstreamVersionChanged>(&a)) {
            triplay::log::notice("upstream reports now IGMPv{}", static_cast<int>(v->version));
        }
        actions.insert(actions.end(), more.begin(), more.end());
    }
    if (!actions.empty()) m_state.changed();
    actions.clear();
    rearm();
}

// ---- timers ---------------------------------------------------------------------------------

void Proxy::rearm() {
    std::optional<TimePoint> next = m_membership.next_deadline();
    auto earliest = [&](std::optional<TimePoint> t) {
        if (t && (!next || *t < *next)) next = t;
    };
    earliest(m_upstream.next_deadline());
    for (const auto& [i, q] : m_queriers) earliest(q.next_deadline());
    if (!next || (m_armed && *m_armed <= *next)) return;
    if (m_timer) m_loop.cancel_timer(m_timer);
    m_armed = next;
    m_timer = m_loop.add_timer(*next, [this] { on_timer(); });
}

void Proxy::on_timer() {
    m_timer = 0;
    m_armed.reset();
    auto now = Clock::now();
    std::vector<Action> out;
    m_membership.expire(now, out);
    m_upstream.expire(now, out);
    for (auto& [i, q] : m_queriers) q.expire(now, out);
    apply(out, now);
}

void Proxy::sweep_mfc() {
    std::vector<MfcAction> mfc;
    m_fwd.sweep(
        [this](Ipv4 s, Ipv4 g) -> std::optional<uint64_t> {
            auto c = m_mrt.sg_count(s, g);
            if (!c) return std::nullopt;
            return c->packets;
        },
        mfc);
    apply_mfc(mfc);
    m_loop.add_timer(Clock::now() + kSweepInterval, [this] { sweep_mfc(); });
}

// ---- reload, shutdown, state ----------------------------------------------------------------

void Proxy::reload(Config cfg) {
    auto now = Clock::now();
    // Interfaces whose role changes are detached under the OLD configuration (an old upstream
    // must be torn down as the upstream), then attached again under the new one; the others
    // keep their VIF, members and flows (a reload must not interrupt television).
    std::vector<int> changed;
    for (const auto& [i, l] : m_links)
        if (l.vif >= 0 && m_cfg.role_of(l.name) != cfg.role_of(l.name)) changed.push_back(i);
    for (int i : changed) detach(i, m_links[i], now);
    m_cfg = std::move(cfg);
    m_state.set_path(m_cfg.state_file);
    m_membership.set_config(membership_config());
    std::vector<Action> out;
    m_upstream.set_config(upstream_config(), now, out);
    for (auto& [i, q] : m_queriers) q.set_config(querier_config());
    sync_interfaces(now);
    apply(out, now);
    triplay::log::notice("configuration reloaded");
}

void Proxy::shutdown() {
    std::vector<Action> out;
    m_upstream.leave_all(Clock::now(), out);
    // Only the immediate sends: the process is ending, retransmissions are not.
    for (const auto& a : out)
        if (const auto* s = std::get_if<SendReport>(&a))
            std::visit([&](const auto& m) { send(s->ifindex, s->dst, m); }, s->msg);
    m_state.remove();
    triplay::log::notice("exiting; the kernel drops our multicast routes with the MRT socket");
}

void Proxy::log_state() const {
    triplay::log::notice("{} groups downstream, {} upstream, {} MFC entries",
                         m_membership.size(), m_upstream.groups().size(), m_fwd.size());
    for (const auto& [key, g] : m_membership.groups()) {
        auto it = m_links.find(key.ifindex);
        triplay::log::notice("  {} on {}: {} hosts, {} {} sources", key.group.to_string(),
                             it == m_links.end() ? "?" : it->second.name, g.hosts.size(),
                             g.merged.mode == FilterMode::Include ? "include" : "exclude",
                             g.merged.sources.size());
    }
    for (const auto& [sg, e] : m_fwd.entries())
        triplay::log::notice("  MFC ({}, {}) iif VIF {}", sg.first.to_string(), sg.second.to_string(),
                             e.parent_vif);
}

std::string Proxy::state_json() const {
    auto now = Clock::now();
    triplay::JsonWriter j;
    j.begin_object();
    j.key("daemon").value("igmpproxyd");
    j.key("pid").value(static_cast<int64_t>(getpid()));
    j.key("uptime").value(static_cast<int64_t>(secs(now - m_started)));
    j.key("interfaces").begin_array();
    for (const auto& [i, l] : m_links) {
        Role role = m_cfg.role_of(l.name);
        if (role == Role::Disabled) continue;
        j.begin_object();
        j.key("name").value(l.name).key("ifindex").value(i);
        j.key("role").value(role == Role::Upstream ? "upstream" : "downstream");
        j.key("up").value(l.up).key("vif").value(l.vif);
        if (auto q = m_queriers.find(i); q != m_queriers.end())
            j.key("querier").value(to_string(q->second.state()));
        j.end_object();
    }
    j.end_array();
    j.key("groups").begin_array();
    for (const auto& [key, g] : m_membership.groups()) {
        auto it = m_links.find(key.ifindex);
        j.begin_object();
        j.key("group").value(key.group.to_string());
        j.key("interface").value(it == m_links.end() ? "?" : it->second.name);
        j.key("mode").value(g.merged.mode == FilterMode::Include ? "include" : "exclude");
        j.key("sources").begin_array();
        for (auto s : g.merged.sources) j.value(s.to_string());
        j.end_array();
        j.key("hosts").begin_array();
        for (const auto& [h, st] : g.hosts) j.value(h.to_string());
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.key("upstream").begin_object();
    j.key("interface").value(m_cfg.upstream.name);
    j.key("version").value(static_cast<int>(m_upstream.version()));
    j.key("querier-heard").value(m_upstream.querier_heard(now));
    j.key("groups").begin_array();
    for (const auto& [g, st] : m_upstream.groups())
        if (!st.state.none()) j.value(g.to_string());
    j.end_array();
    j.end_object();
    j.key("mfc").begin_array();
    for (const auto& [sg, e] : m_fwd.entries()) {
        j.begin_object();
        j.key("source").value(sg.first.to_string()).key("group").value(sg.second.to_string());
        j.key("iif-vif").value(e.parent_vif);
        j.key("oif-vifs").begin_array();
        for (int v = 0; v < kMaxVifs; ++v)
            if (e.ttls[static_cast<size_t>(v)]) j.value(v);
        j.end_array();
        j.key("packets").value(e.last_packets);
        j.end_object();
    }
    j.end_array();
    j.key("counters").begin_object();
    j.key("igmp-received").value(m_counters.igmp_received);
    j.key("reports").value(m_counters.reports);
    j.key("leaves").value(m_counters.leaves);
    j.key("queries").value(m_counters.queries);
    j.key("upcalls").value(m_counters.upcalls);
    j.key("mfc-added").value(m_counters.mfc_added);
    j.key("mfc-removed").value(m_counters.mfc_removed);
    j.key("sent").value(m_counters.sent);
    j.end_object();
    j.key("drops").begin_object();
    for (const auto& [k, v] : m_counters.drops) j.key(k).value(v);
    j.end_object();
    j.end_object();
    return j.str() + "\n";
}

}  // namespace igmp
