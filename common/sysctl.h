// SPDX-License-Identifier: GPL-2.0-or-later
// The IPv4 sysctls a router daemon checks before it starts (forwarding, rp_filter,
// mc_forwarding), read and written under /proc/sys/net/ipv4. The root is a parameter so the
// tests can point it at a directory of their own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace triplay::sysctl {

inline constexpr std::string_view kIpv4Root = "/proc/sys/net/ipv4";

// net.ipv4.<key>, e.g. "ip_forward". nullopt when unreadable or not a number.
std::optional<int> read_ipv4(std::string_view key, std::string_view root = kIpv4Root);
// net.ipv4.conf.<iface>.<key>, e.g. ("all", "rp_filter").
std::optional<int> read_conf(std::string_view iface, std::string_view key,
                             std::string_view root = kIpv4Root);
Result<> write_ipv4(std::string_view key, int value, std::string_view root = kIpv4Root);
Result<> write_conf(std::string_view iface, std::string_view key, int value,
                    std::string_view root = kIpv4Root);

}  // namespace triplay::sysctl
