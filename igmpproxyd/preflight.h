// SPDX-License-Identifier: GPL-2.0-or-later
// Start-up checks of the sysctls that decide whether IPTV works at all, with the exact command
// that fixes each problem. The seed's worst trap: rp_filter = 1 on "all" or on the upstream
// interface silently drops every stream whose source the kernel does not route back out of
// the upstream interface, and the MFC entries "don't activate". Pure: values in, findings out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace igmp {

struct SysctlState {
    std::optional<int> ip_forward;
    std::optional<int> rp_filter_all;
    std::optional<int> rp_filter_upstream;
};

// One sysctl to set: net.ipv4.<key> when iface is empty, else net.ipv4.conf.<iface>.<key>.
struct SysctlFix {
    std::string iface;
    std::string key;
    int value = 0;
    std::string name() const;  // "net.ipv4.conf.vlan2.rp_filter"
    bool operator==(const SysctlFix&) const = default;
};

struct Finding {
    std::string problem;  // one line, what is wrong and what it breaks
    std::vector<SysctlFix> fixes;
};

std::vector<Finding> preflight(const SysctlState& s, std::string_view upstream);
// "sysctl -w a=0 b=0"
std::string fix_command(const std::vector<SysctlFix>& fixes);

}  // namespace igmp
