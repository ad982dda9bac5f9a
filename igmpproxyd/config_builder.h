// SPDX-License-Identifier: GPL-2.0-or-later
// What the two config readers (config.cpp: INI, config_legacy.cpp: the classic
// igmpproxy.conf) share: value checks, the one-upstream rule, interfaces named once. Internal
// to igmpproxyd's config code; include config.h everywhere else.
#pragma once

#include <fmt/format.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config.h"

namespace igmp::config_detail {

using triplay::ConfigErrors;
using triplay::IniEntry;
using triplay::parse_bool;
using triplay::parse_uint;
using triplay::split_words;

// RFC 5771 §4: the Local Network Control Block is never forwarded off the link.
constexpr Prefix4 kLinkLocalGroups(Ipv4(224, 0, 0, 0), 24);
// RFC 3376 §4.1.7: the largest Querier's Query Interval Code can express, in seconds.
constexpr uint64_t kMaxQueryInterval = 31744;
// A file that produces more problems than this is not a config file; stop listing them.
constexpr size_t kMaxErrors = 100;

// Config text can hold anything; what goes into a message is escaped and cut short.
inline std::string printable(std::string_view s) {
    constexpr size_t kShown = 48;
    std::string out;
    for (size_t i = 0; i < s.size() && i < kShown; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f)
            out += static_cast<char>(c);
        else
            out += fmt::format("\\x{:02x}", c);
    }
    if (s.size() > kShown) out += "...";
    return out;
}

// "10", "0.5", "2.5": seconds with one decimal at most, as tenths.
inline std::optional<uint64_t> parse_tenths(std::string_view v) {
    size_t dot = v.find('.');
    auto whole = parse_uint(v.substr(0, dot), 0, 1000000);
    if (!whole) return std::nullopt;
    uint64_t t = *whole * 10;
    if (dot != std::string_view::npos) {
        std::string_view frac = v.substr(dot + 1);
        if (frac.size() != 1 || frac[0] < '0' || frac[0] > '9') return std::nullopt;
        t += static_cast<uint64_t>(frac[0] - '0');
    }
    return t;
}

inline std::string_view role_name(Role r) {
    switch (r) {
        case Role::Upstream: return "upstream";
        case Role::Downstream: return "downstream";
        case Role::Disabled: return "disabled";
    }
    return "?";
}

enum class List { White, Black };

// What both formats share: value checks, the one-upstream rule, interfaces named once.
class Builder {
public:
    Builder(ConfigErrors& errors, Config& config) : m_errors(errors), m_config(config) {}

    void error(int line, std::string message) {
        if (m_errors.size() > kMaxErrors) return;
        if (m_errors.size() == kMaxErrors)
            m_errors.add(line, "too many problems; the rest are not shown");
        else
            m_errors.add(line, std::move(message));
    }
    bool too_many() const { return m_errors.size() > kMaxErrors; }
    void warn(int line, std::string message) {
        m_config.warnings.emplace_back(line, std::move(message));
    }

    // Linux's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or blanks.
    bool check_ifname(int line, std::string_view context, std::string_view name) {
        std::string shown = printable(name);
        if (name.empty()) {
            error(line, fmt::format("{}: empty interface name", context));
        } else if (name.size() >= IFNAMSIZ) {
            error(line, fmt::format("{}: interface name '{}' is longer than {} characters",
                                    context, shown, IFNAMSIZ - 1));
        } else if (name.find(':') != std::string_view::npos) {
            // igmpproxy listed address labels (eth0:0) as interfaces; the kernel's VIFs and
            // igmpproxyd's sockets are per interface.
            error(line, fmt::format("{}: '{}' is an address label, not an interface; igmpproxyd "
                                    "works per interface (use '{}')",
                                    context, shown, printable(name.substr(0, name.find(':')))));
        } else if (name == "." || name == ".." ||
                   std::any_of(name.begin(), name.end(), [](char c) {
                       auto u = static_cast<unsigned char>(c);
                       return c == '/' || u <= 0x20 || u == 0x7f;
                   })) {
            error(line, fmt::format("{}: '{}' is not a valid interface name", context, shown));
        } else {
            return true;
        }
        return false;
    }

    // Each interface has one role; the second mention is the error.
    bool claim(int line, std::string_view context, const std::string& name) {
        auto [it, fresh] = m_claimed.try_emplace(name, line);
        if (fresh) return true;
        error(line, fmt::format("{}: interface {} is already configured at line {}", context,
                                name, it->second));
        return false;
    }

    enum class HostBits { Error, Warn };

    std::optional<Prefix4> group_prefix(int line, std::string_view context, std::string_view word,
                                        List list, HostBits host_bits = HostBits::Error) {
        auto p = prefix(line, context, word, "239.0.0.0/8", host_bits);
        if (!p) return std::nullopt;
        std::string shown = printable(word);
        if (p->len() < 4 || !p->addr().is_multicast()) {
            error(line, fmt::format("{}: '{}' is not a multicast group prefix (groups are in "
                                    "224.0.0.0/4)",
                                    context, shown));
            return std::nullopt;
        }
        if (list == List::White && kLinkLocalGroups.contains(*p)) {
            error(line, fmt::format("{}: '{}' is inside 224.0.0.0/24, the link-local groups "
                                    "that are never proxied (RFC 5771 §4)",
                                    context, shown));
            return std::nullopt;
        }
        return p;
    }

    std::optional<Prefix4> source_prefix(int line, std::string_view context, std::string_view word,
                                         HostBits host_bits = HostBits::Error) {
        auto p = prefix(line, context, word, "172.26.0.0/16", host_bits);
        if (!p) return std::nullopt;
        // 224/4 and 240/4: no packet comes from a multicast or reserved source. 0.0.0.0/0 is
        // a deliberate "any source".
        if (p->len() >= 3 && p->addr().value() >= 0xe0000000u) {
            error(line, fmt::format("{}: '{}' is a multicast or reserved prefix; altnet lists "
                                    "source addresses",
                                    context, printable(word)));
            return std::nullopt;
        }
        return p;
    }

    void add_upstream(int line, std::string_view context, Upstream u) {
        if (!m_upstreams.empty()) {
            error(line, fmt::format("{}: a second upstream interface ({} is the upstream at line "
                                    "{}); a proxy has exactly one (RFC 4605 §1)",
                                    context, m_upstreams.front().first.name,
                                    m_upstreams.front().second));
        }
        m_upstreams.emplace_back(std::move(u), line);
    }
    // The INI parser fills the upstream in after registering it.
    Upstream& upstream(size_t n) { return m_upstreams.at(n).first; }
    size_t upstream_count() const { return m_upstreams.size(); }

    void finish(std::string_view no_upstream, std::string_view no_downstream) {
        if (m_upstreams.empty())
            error(0, std::string(no_upstream));
        else
            m_config.upstream = m_upstreams.front().first;
        if (m_config.downstreams.empty() && m_config.unlisted != Role::Downstream)
            error(0, std::string(no_downstream));
    }

private:
    std::optional<Prefix4> prefix(int line, std::string_view context, std::string_view word,
                                  std::string_view example, HostBits host_bits) {
        std::string shown = printable(word);
        auto p = Prefix4::parse(word, Prefix4::HostBits::Allow);
        if (!p) {
            error(line, fmt::format("{}: '{}' is not a prefix like {}", context, shown, example));
            return std::nullopt;
        }
        if (!Prefix4::parse(word, Prefix4::HostBits::Reject)) {
            std::string fixed = p->to_string();
            if (host_bits == HostBits::Error) {
                error(line, fmt::format("{}: '{}' has host bits set (did you mean {}?)", context,
                                        shown, fixed));
                return std::nullopt;
            }
            warn(line, fmt::format("{}: '{}' has host bits set; read as {}, as igmpproxy did",
                                   context, shown, fixed));
        }
        return p;
    }

    ConfigErrors& m_errors;
    Config& m_config;
    std::map<std::string, int> m_claimed;
    std::vector<std::pair<Upstream, int>> m_upstreams;
};

}  // namespace igmp::config_detail
