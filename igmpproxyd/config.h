// SPDX-License-Identifier: GPL-2.0-or-later
// igmpproxyd.conf: INI text, or the classic igmpproxy.conf, -> one typed Config, or every
// problem at file:line. Pure: no sockets, no clock, no logging.
#pragma once

#include <chrono>
#include <cstdint>
#include <ratio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inifile.h"
#include "net_types.h"

namespace igmp {

using triplay::Ipv4;
using triplay::Prefix4;

// IGMP carries its response times in tenths of a second (RFC 2236 §2.2, RFC 3376 §4.1.1),
// so they are kept in that unit: no rounding between the config and the wire.
using Deciseconds = std::chrono::duration<int64_t, std::deci>;

// Which multicast groups may be proxied. A group passes when the whitelist is empty or holds
// it, and the blacklist does not hold it. 224.0.0.0/24 never passes, whatever the lists say:
// link-local groups are not forwarded (RFC 4605 §4, RFC 5771 §4).
struct GroupFilter {
    std::vector<Prefix4> whitelist;
    std::vector<Prefix4> blacklist;
    bool allows(Ipv4 group) const;
    bool operator==(const GroupFilter&) const = default;
};

// The one interface facing the multicast sources (RFC 4605 §1: a proxy has exactly one).
struct Upstream {
    std::string name;
    // Sources accepted besides the interface's own subnet (igmpproxy's altnet).
    std::vector<Prefix4> altnet;
    // Also accept a source when the kernel's route to it leaves through this interface: the
    // reverse-path rule of every multicast router, so it never admits a downstream source.
    bool route_check = true;
    GroupFilter groups;  // groups reported upstream
    uint32_t ratelimit = 0;  // kbit/s, 0 = none (Linux's ipmr stores it but does not enforce it)
    uint8_t threshold = 1;   // the kernel forwards packets whose TTL is above it
    bool operator==(const Upstream&) const = default;
};

struct Downstream {
    std::string name;
    GroupFilter groups;  // groups this interface's hosts may join
    uint32_t ratelimit = 0;
    uint8_t threshold = 1;
    // Query the hosts (RFC 3376 §6.6.2 election, lowest address wins): without a querier an
    // IGMP-snooping switch stops forwarding after its membership timeout.
    bool querier = true;
    bool operator==(const Downstream&) const = default;
};

enum class UpstreamVersion { Auto, V2, V3 };
enum class RefreshMode { Auto, Fixed, Off };
enum class Role { Upstream, Downstream, Disabled };

// Where the file came from. Auto: INI when the first word (past '#' comments) opens a
// [section]; otherwise legacy when the file is named igmpproxy.conf or that word is an
// igmpproxy keyword (phyint, quickleave...); INI otherwise.
enum class Format { Auto, Ini, Legacy };

struct Config {
    bool quickleave = false;  // igmpproxy's default; the seed turns it on
    UpstreamVersion upstream_version = UpstreamVersion::Auto;
    // Unsolicited reports for the active groups while no upstream querier is heard. Movistar
    // sends no queries and drops a group ~260 s (2 x 125 + 10, RFC 3376 §8.4) after its last
    // report; 60 s leaves room for three lost reports in a row.
    RefreshMode upstream_refresh_mode = RefreshMode::Auto;
    std::chrono::seconds upstream_refresh{60};
    // Downstream querier timers: RFC 3376 §8 defaults.
    unsigned robustness = 2;                            // §8.1
    std::chrono::seconds query_interval{125};           // §8.2
    Deciseconds query_response_interval{100};           // §8.3
    Deciseconds last_member_interval{10};               // §8.8
    unsigned last_member_count = 2;                     // §8.9: robustness unless given
    std::chrono::seconds startup_query_interval{31};    // §8.6: query interval / 4 unless given
    unsigned startup_query_count = 2;                   // §8.7: robustness unless given
    size_t max_groups = 1024;
    bool fix_sysctl = false;
    std::string state_file = "/run/triplay/igmpproxyd.json";
    std::string user = "triplay";
    GroupFilter groups;  // applies to every interface, before the interface's own lists

    Upstream upstream;
    std::vector<Downstream> downstreams;
    std::vector<std::string> disabled;
    // What an interface the file does not name is: igmpproxy's "defaultdown" makes it
    // downstream, otherwise it is left alone.
    Role unlisted = Role::Disabled;

    // Settings accepted for compatibility that do not act as they did in igmpproxy: (line,
    // text). The daemon logs them; -n prints them.
    std::vector<std::pair<int, std::string>> warnings;

    Role role_of(std::string_view ifname) const;
    const Downstream* find_downstream(std::string_view ifname) const;
    bool operator==(const Config&) const = default;
};

tl::expected<Config, triplay::ConfigErrors> parse_config(const triplay::IniFile& ini);
tl::expected<Config, triplay::ConfigErrors> parse_legacy(std::string_view text,
                                                         const std::string& path);
Format detect_format(std::string_view text, std::string_view path);
tl::expected<Config, triplay::ConfigErrors> parse_config_text(std::string_view text,
                                                              const std::string& path,
                                                              Format format = Format::Auto);
tl::expected<Config, triplay::ConfigErrors> load_config(const std::string& path,
                                                        Format format = Format::Auto);
// "file:line: warning: text" lines, for the daemon's log and -n.
std::string format_warnings(const Config& config, const std::string& path);

}  // namespace igmp
