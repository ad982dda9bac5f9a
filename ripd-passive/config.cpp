// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <fmt/format.h>
#include <net/if.h>

#include <algorithm>

#include "netlink.h"

namespace ripd {

using triplay::ConfigErrors;
using triplay::IniEntry;
using triplay::parse_bool;
using triplay::parse_uint;
using triplay::split_words;

bool IfaceConfig::accepts_version(uint8_t v) const {
    switch (versions) {
        case RipVersions::V2: return v == 2;
        case RipVersions::V1: return v == 1;
        case RipVersions::Both: return v == 1 || v == 2;
    }
    return false;
}

const IfaceConfig* Config::find_interface(std::string_view name) const {
    for (const auto& i : interfaces)
        if (i.name == name) return &i;
    return nullptr;
}

namespace {

constexpr uint64_t kMaxSeconds = 86400;

class Parser {
public:
    explicit Parser(ConfigErrors& errors) : m_errors(errors) {}

    void bad(const IniEntry& e, std::string_view what) {
        m_errors.add(e.line, fmt::format("{} = {}: {}", e.key, e.value, what));
    }

    void flag(const IniEntry& e, bool& out) {
        if (auto b = parse_bool(e.value))
            out = *b;
        else
            bad(e, "expected yes or no");
    }

    template <typename T>
    void number(const IniEntry& e, T& out, uint64_t min, uint64_t max) {
        if (auto n = parse_uint(e.value, min, max))
            out = static_cast<T>(*n);
        else
            bad(e, fmt::format("expected a whole number from {} to {}", min, max));
    }

    void seconds(const IniEntry& e, std::chrono::seconds& out) {
        uint64_t s = 0;
        number(e, s, 1, kMaxSeconds);
        if (s) out = std::chrono::seconds(s);
    }

    void global(const IniEntry& e, Config& c) {
        const std::string& k = e.key;
        if (k == "proto") {
            auto p = triplay::netlink::parse_protocol(e.value);
            // Every route of our protocol is ours: the daemon adopts them at start and removes
            // them at exit. 0..4 (unspec, redirect, kernel, boot - what `ip route add` uses -
            // and static) belong to the system and the administrator.
            if (p && *p <= 4)
                bad(e, "protocols 0-4 (kernel, boot, static...) belong to the system and the "
                       "administrator; use zebra, rip or a number from 5 to 255");
            else if (p)
                c.proto = *p;
            else
                bad(e, "expected a protocol name from /etc/iproute2/rt_protos or 0..255");
        } else if (k == "metric") {
            std::string_view v = e.value;
            if (v.substr(0, 4) == "rip+" || v == "rip") {
                c.metric.relative = true;
                uint64_t n = 0;
                if (v == "rip" || (n = parse_uint(v.substr(4), 0, 1000).value_or(UINT64_MAX)) <= 1000)
                    c.metric.value = static_cast<uint32_t>(n);
                else
                    bad(e, "expected rip+N with N from 0 to 1000");
            } else {
                c.metric.relative = false;
                number(e, c.metric.value, 0, UINT32_MAX);
            }
        } else if (k == "table") {
            if (e.value == "main")
                c.table = 254;
            else
                number(e, c.table, 1, UINT32_MAX);
        } else if (k == "timeout") {
            seconds(e, c.timeout);
        } else if (k == "garbage") {
            seconds(e, c.garbage);
        } else if (k == "max-routes") {
            number(e, c.max_routes, 1, 1000000);
        } else if (k == "allow-default") {
            flag(e, c.allow_default);
        } else if (k == "keep-routes-on-exit") {
            flag(e, c.keep_routes_on_exit);
        } else if (k == "request-on-start") {
            flag(e, c.request_on_start);
        } else if (k == "state-file") {
            c.state_file = e.value;
        } else if (k == "user") {
            c.user = e.value;
        } else {
            m_errors.add(e.line, fmt::format("unknown key '{}' in [global]", k));
        }
    }

    void iface(const IniEntry& e, IfaceConfig& i, std::string& key) {
        const std::string& k = e.key;
        if (k == "version") {
            if (e.value == "2")
                i.versions = RipVersions::V2;
            else if (e.value == "1")
                i.versions = RipVersions::V1;
            else if (e.value == "both" || e.value == "1 2")
                i.versions = RipVersions::Both;
            else
                bad(e, "expected 2, 1 or both");
        } else if (k == "auth") {
            if (e.value == "none")
                i.auth.mode = AuthMode::None;
            else if (e.value == "plain")
                i.auth.mode = AuthMode::Plain;
            else if (e.value == "md5")
                i.auth.mode = AuthMode::Md5;
            else
                bad(e, "expected none, plain or md5");
        } else if (k == "key") {
            // RFC 2453 §4.1 / RFC 4822 §3: keys are at most 16 bytes, zero padded.
            if (e.value.empty() || e.value.size() > 16)
                m_errors.add(e.line, "key: expected 1 to 16 characters");
            else
                key = e.value;
        } else if (k == "key-id") {
            number(e, i.auth.key_id, 0, 255);
        } else if (k == "neighbors" || k == "neighbours") {
            i.neighbors.clear();
            for (auto w : split_words(e.value)) {
                if (auto a = Ipv4::parse(w))
                    i.neighbors.push_back(*a);
                else
                    bad(e, fmt::format("'{}' is not an IPv4 address", w));
            }
        } else if (k == "accept") {
            i.accept.clear();
            for (auto w : split_words(e.value)) {
                if (auto p = Prefix4::parse(w))
                    i.accept.push_back(*p);
                else
                    bad(e, fmt::format("'{}' is not a prefix like 172.26.0.0/16", w));
            }
        } else {
            m_errors.add(e.line, fmt::format("unknown key '{}' in [interface {}]", k, i.name));
        }
    }

private:
    ConfigErrors& m_errors;
};

}  // namespace

tl::expected<Config, ConfigErrors> parse_config(const triplay::IniFile& ini) {
    ConfigErrors errors(ini.path);
    Parser parser(errors);
    Config c;
    std::vector<std::string> keys;  // per interface
    std::vector<int> iface_lines;

    for (const auto& s : ini.sections) {
        auto [kind, arg] = triplay::split_section(s.name);
        if (kind == "global" && arg.empty()) continue;
        if (kind == "interface") {
            if (arg.empty() || arg.size() >= IFNAMSIZ || arg.find_first_of(" /") != arg.npos) {
                errors.add(s.line, fmt::format("[{}]: expected [interface NAME] with a valid "
                                               "interface name", s.name));
                continue;
            }
            c.interfaces.emplace_back().name = std::string(arg);
            keys.emplace_back();
            iface_lines.push_back(s.line);
            continue;
        }
        errors.add(s.line, fmt::format("unknown section [{}] (expected [global] or "
                                       "[interface NAME])", s.name));
    }
    for (const auto& e : ini.entries) {
        if (e.section.empty()) {
            errors.add(e.line, fmt::format("'{}' outside any section", e.key));
            continue;
        }
        auto [kind, arg] = triplay::split_section(e.section);
        if (kind == "global" && arg.empty()) {
            parser.global(e, c);
        } else if (kind == "interface") {
            for (size_t n = 0; n < c.interfaces.size(); ++n)
                if (c.interfaces[n].name == arg) parser.iface(e, c.interfaces[n], keys[n]);
        }
        // Keys in unknown sections were reported with the section.
    }
    for (size_t n = 0; n < c.interfaces.size(); ++n) {
        auto& i = c.interfaces[n];
        if (i.auth.mode != AuthMode::None && keys[n].empty())
            errors.add(iface_lines[n], fmt::format("[interface {}]: auth = {} needs key =", i.name,
                                                   i.auth.mode == AuthMode::Md5 ? "md5" : "plain"));
        if (i.auth.mode == AuthMode::None && !keys[n].empty())
            errors.add(iface_lines[n], fmt::format("[interface {}]: key = given but auth = none",
                                                   i.name));
        std::copy(keys[n].begin(), keys[n].end(), i.auth.key.begin());
    }
    if (c.interfaces.empty())
        errors.add(0, "no [interface NAME] section: ripd-passive would listen nowhere");
    if (!errors.empty()) return tl::unexpected(errors);
    return c;
}

tl::expected<Config, ConfigErrors> load_config(const std::string& path) {
    auto ini = triplay::load_ini(path);
    if (!ini) return tl::unexpected(ini.error());
    return parse_config(*ini);
}

}  // namespace ripd
