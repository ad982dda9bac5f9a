// SPDX-License-Identifier: GPL-2.0-or-later
#include "preflight.h"

#include <fmt/format.h>

#include <algorithm>

namespace igmp {

std::string SysctlFix::name() const {
    return iface.empty() ? fmt::format("net.ipv4.{}", key)
                         : fmt::format("net.ipv4.conf.{}.{}", iface, key);
}

std::string fix_command(const std::vector<SysctlFix>& fixes) {
    std::string cmd = "sysctl -w";
    for (const auto& f : fixes) cmd += fmt::format(" {}={}", f.name(), f.value);
    return cmd;
}

std::vector<Finding> preflight(const SysctlState& s, std::string_view upstream) {
    std::vector<Finding> out;
    // The kernel uses max(conf.all.rp_filter, conf.<if>.rp_filter) (ip-sysctl.rst). Strict
    // mode (1) drops a packet unless the route back to its source leaves by the interface it
    // came in on; Movistar's stream sources are 172.26.x, routed via ppp0 until (and unless)
    // RIP teaches otherwise. Loose mode (2) only needs some route back and is fine.
    int all = s.rp_filter_all.value_or(0), up = s.rp_filter_upstream.value_or(0);
    if (std::max(all, up) == 1) {
        Finding f;
        f.problem = fmt::format(
            "reverse-path filter is strict on {} (net.ipv4.conf.all.rp_filter = {}, "
            "net.ipv4.conf.{}.rp_filter = {}, the kernel uses the larger): multicast from "
            "sources not routed back through {} is dropped and TV stays black. Both must be 0 "
            "(or 2)",
            upstream, all, upstream, up, upstream);
        if (all == 1) f.fixes.push_back({"all", "rp_filter", 0});
        if (up == 1) f.fixes.push_back({std::string(upstream), "rp_filter", 0});
        out.push_back(std::move(f));
    }
    if (s.ip_forward && *s.ip_forward == 0) {
        out.push_back({"net.ipv4.ip_forward = 0: the streams are forwarded (multicast routing "
                       "does not need it), but the set-top boxes' unicast to the IPTV servers "
                       "(channel list, guide, VOD) is not",
                       {{"", "ip_forward", 1}}});
    }
    return out;
}

}  // namespace igmp
