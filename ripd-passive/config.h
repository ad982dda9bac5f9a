// SPDX-License-Identifier: GPL-2.0-or-later
// ripd-passive.conf: INI text -> typed Config, or every problem at file:line. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "inifile.h"
#include "net_types.h"
#include "rip_auth.h"

namespace ripd {

using triplay::Ipv4;
using triplay::Prefix4;

enum class RipVersions { V2, V1, Both };

struct IfaceConfig {
    std::string name;
    RipVersions versions = RipVersions::V2;
    AuthConfig auth;
    std::vector<Ipv4> neighbors;  // empty: any on-link sender
    std::vector<Prefix4> accept;  // empty: every prefix
    bool accepts_version(uint8_t v) const;
    bool operator==(const IfaceConfig&) const = default;
};

// Kernel metric: the metric as announced plus an offset, or a fixed number. The default
// "rip+1" is what Quagga installed (announced + the interface cost 1, RFC 2453 §3.9.2): Movistar
// announces 2 and the seed shows "proto zebra metric 3".
struct KernelMetric {
    bool relative = true;
    uint32_t value = 1;
    uint32_t of(uint32_t announced) const { return relative ? announced + value : value; }
    bool operator==(const KernelMetric&) const = default;
};

struct Config {
    uint8_t proto = 11;  // RTPROT_ZEBRA, what Quagga installed in the seed
    KernelMetric metric;
    uint32_t table = 254;  // RT_TABLE_MAIN
    std::chrono::seconds timeout{180};  // RFC 2453 §3.8
    std::chrono::seconds garbage{120};
    size_t max_routes = 10000;
    bool allow_default = false;
    bool keep_routes_on_exit = false;
    bool request_on_start = false;
    std::string state_file = "/run/triplay/ripd-passive.json";
    std::string user = "triplay";
    std::vector<IfaceConfig> interfaces;

    const IfaceConfig* find_interface(std::string_view name) const;
};

tl::expected<Config, triplay::ConfigErrors> parse_config(const triplay::IniFile& ini);
tl::expected<Config, triplay::ConfigErrors> load_config(const std::string& path);

}  // namespace ripd
