// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel_routes.h"

#include <cerrno>

#include "log.h"

namespace ripd {

namespace {
bool already_gone(const triplay::Error& e) { return e.errnum == ESRCH || e.errnum == ENOENT; }
}  // namespace

Route4 KernelRoutes::to_kernel(const Route& r) const {
    Route4 k;
    k.dst = r.prefix;
    k.gateway = r.next_hop;
    k.ifindex = r.ifindex;
    k.metric = kernel_metric(r);
    k.protocol = m_params.proto;
    k.table = m_params.table;
    return k;
}

namespace {
// The kernel keys IPv4 routes by (table, dst, tos, metric); tos is always 0 here.
bool same_key(const Route4& a, const Route4& b) {
    return a.table == b.table && a.dst == b.dst && a.metric == b.metric;
}
}  // namespace

Result<> KernelRoutes::install(const Route& r) {
    Route4 want = to_kernel(r);
    auto it = m_installed.find(r.prefix);
    if (it != m_installed.end() && it->second == want) return {};
    // Routes of ours for this prefix under another key go once the new one is in
    // (make-before-break); under the same key the new route replaces ours in place.
    std::vector<Route4> old;
    bool own_key = false, present = false;
    if (it != m_installed.end()) {
        if (same_key(it->second, want))
            own_key = true;
        else
            old.push_back(it->second);
    }
    if (auto s = m_stale.find(r.prefix); s != m_stale.end()) {
        for (const auto& k : s->second) {
            if (k == want)
                present = true;
            else if (same_key(k, want))
                own_key = true;
            else
                old.push_back(k);
        }
        m_stale.erase(s);
    }
    if (!present) {
        // IPv4 "replace" ignores the protocol: it would overwrite an administrator's static
        // route with the same metric. Only a key we hold is replaced; anything else is added
        // exclusively, and a collision is reported instead of taken over.
        auto res = own_key ? m_backend.replace(want) : m_backend.add(want);
        if (!res) {
            ++m_errors;
            if (res.error().errnum == EEXIST)
                return triplay::os_fail(EEXIST, "{} metric {} already exists with another "
                                        "protocol; not touching it (set metric = to use another "
                                        "metric)", want.dst.to_string(), want.metric);
            return res;
        }
    }
    m_installed[r.prefix] = want;
    for (const auto& k : old) {
        if (auto res = m_backend.remove(k); !res && !already_gone(res.error())) {
            ++m_errors;
            return res;
        }
    }
    return {};
}

Result<> KernelRoutes::withdraw(const Prefix4& p) {
    auto it = m_installed.find(p);
    if (it == m_installed.end()) return {};
    Route4 k = it->second;
    m_installed.erase(it);  // before the kernel's deletion event arrives, so it is not re-added
    auto res = m_backend.remove(k);
    if (!res && !already_gone(res.error())) {
        ++m_errors;
        return res;
    }
    return {};
}

bool KernelRoutes::on_deleted(const Route4& k) {
    if (k.protocol != m_params.proto || k.table != m_params.table) return false;
    if (auto s = m_stale.find(k.dst); s != m_stale.end()) {
        // Someone removed a route we only adopted: forget it, the next update decides.
        std::erase(s->second, k);
        if (s->second.empty()) m_stale.erase(s);
    }
    auto it = m_installed.find(k.dst);
    if (it == m_installed.end() || it->second != k) return false;
    // Ours, and we did not remove it: put it back, without overwriting whatever may have
    // taken its place meanwhile.
    Route4 want = it->second;
    if (auto res = m_backend.add(want); !res) {
        ++m_errors;
        m_installed.erase(it);  // the next update from the neighbour will try again
        triplay::log::warning("re-adding {} after it was deleted: {}", want.dst.to_string(),
                              res.error().to_string());
        return false;
    }
    ++m_readded;
    return true;
}

Result<size_t> KernelRoutes::adopt_stale() {
    auto all = m_backend.dump();
    if (!all) return tl::unexpected(all.error());
    size_t n = 0;
    for (const auto& k : *all) {
        if (k.protocol != m_params.proto || k.table != m_params.table) continue;
        m_stale[k.dst].push_back(k);
        ++n;
    }
    return n;
}

size_t KernelRoutes::sweep_stale() {
    size_t n = 0;
    for (const auto& [p, routes] : std::exchange(m_stale, {})) {
        for (const auto& k : routes) {
            if (auto res = m_backend.remove(k); !res && !already_gone(res.error())) {
                ++m_errors;
                triplay::log::warning("removing stale {}: {}", p.to_string(), res.error().to_string());
                continue;
            }
            ++n;
        }
    }
    return n;
}

void KernelRoutes::remove_all() {
    sweep_stale();
    auto installed = std::move(m_installed);
    m_installed.clear();
    for (const auto& [p, k] : installed) {
        if (auto res = m_backend.remove(k); !res && !already_gone(res.error())) {
            ++m_errors;
            triplay::log::warning("removing {}: {}", p.to_string(), res.error().to_string());
        }
    }
}

void KernelRoutes::set_params(KernelParams p, const std::map<Prefix4, Route>& routes) {
    if (p == m_params) return;
    m_params = p;
    // m_installed still describes the routes under the old parameters: install() adds each
    // under the new ones first and then removes the old one, so no route is ever missing.
    for (const auto& [prefix, r] : routes) {
        if (r.deleting()) continue;
        if (auto res = install(r); !res)
            triplay::log::warning("moving {}: {}", prefix.to_string(), res.error().to_string());
    }
}

}  // namespace ripd
