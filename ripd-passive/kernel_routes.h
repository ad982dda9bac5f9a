// SPDX-License-Identifier: GPL-2.0-or-later
// Keeps the kernel's routing table equal to the RIP table's active routes: what we installed
// is remembered exactly, so a metric change is made before the old route is broken, a route
// someone deleted by hand is put back, and only our own (protocol, table) is ever touched.
#pragma once

#include <map>
#include <vector>

#include "config.h"
#include "netlink.h"
#include "result.h"
#include "route_table.h"

namespace ripd {

using triplay::Result;
using triplay::netlink::Route4;

// The kernel as KernelRoutes sees it; netlink in the daemon, a map in the tests.
class RouteBackend {
public:
    virtual ~RouteBackend() = default;
    virtual Result<> replace(const Route4& r) = 0;  // overwrites (table, dst, metric)
    virtual Result<> add(const Route4& r) = 0;      // EEXIST if (table, dst, metric) is taken
    virtual Result<> remove(const Route4& r) = 0;
    virtual Result<std::vector<Route4>> dump() = 0;
};

struct KernelParams {
    uint8_t proto = 11;
    uint32_t table = 254;
    KernelMetric metric;
    static KernelParams from(const Config& c) { return {c.proto, c.table, c.metric}; }
    bool operator==(const KernelParams&) const = default;
};

class KernelRoutes {
public:
    KernelRoutes(RouteBackend& backend, KernelParams params) : m_backend(backend), m_params(params) {}

    Route4 to_kernel(const Route& r) const;
    // r.metric already carries the interface cost: the announced metric is one less.
    uint32_t kernel_metric(const Route& r) const { return m_params.metric.of(r.metric - 1); }
    // Adds or updates the kernel route for r (make-before-break when the metric changes).
    Result<> install(const Route& r);
    // Removes our route for p. A route already gone counts as success.
    Result<> withdraw(const Prefix4& p);
    bool installed(const Prefix4& p) const { return m_installed.count(p) != 0; }
    size_t size() const { return m_installed.size(); }

    // A route disappeared from the kernel. If it was one of ours, it is re-added and true is
    // returned (deleted by hand, or by a tool that flushed the table).
    bool on_deleted(const Route4& k);
    // At start: routes of our (protocol, table) left by an earlier run (a restart, a crash, or
    // keep-routes-on-exit) are adopted as stale. They stay in the kernel, so TV keeps working
    // across a restart; install() takes them over, untouched when they are already right, and
    // sweep_stale() removes those the neighbours did not announce again.
    Result<size_t> adopt_stale();
    size_t sweep_stale();
    size_t stale() const { return m_stale.size(); }
    // At exit or when the parameters change: removes every route we installed or adopted.
    void remove_all();
    // New proto/table/metric: every route moves, make-before-break like install().
    void set_params(KernelParams p, const std::map<Prefix4, Route>& active);
    const KernelParams& params() const { return m_params; }

    uint64_t errors() const { return m_errors; }
    uint64_t readded() const { return m_readded; }

private:
    RouteBackend& m_backend;
    KernelParams m_params;
    std::map<Prefix4, Route4> m_installed;
    std::map<Prefix4, std::vector<Route4>> m_stale;
    uint64_t m_errors = 0;
    uint64_t m_readded = 0;
};

// RouteBackend on a netlink RouteSocket.
class NetlinkBackend : public RouteBackend {
public:
    explicit NetlinkBackend(triplay::netlink::RouteSocket& s) : m_sock(s) {}
    Result<> replace(const Route4& r) override { return m_sock.replace(r); }
    Result<> add(const Route4& r) override { return m_sock.add(r); }
    Result<> remove(const Route4& r) override { return m_sock.remove(r); }
    Result<std::vector<Route4>> dump() override { return m_sock.dump_routes(); }

private:
    triplay::netlink::RouteSocket& m_sock;
};

}  // namespace ripd
