// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "config_builder.h"

#include <fmt/format.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>

namespace igmp {

using triplay::ConfigErrors;
using triplay::IniEntry;
using triplay::parse_bool;
using triplay::parse_uint;
using triplay::split_words;

using namespace config_detail;

namespace {

// ---- INI ---------------------------------------------------------------------------------

struct Target {
    enum class Kind { Global, Upstream, Downstream, Disabled, Ignore };
    Kind kind = Kind::Ignore;
    size_t index = 0;
};

class IniParser {
public:
    IniParser(Builder& b, Config& c) : m_b(b), m_c(c) {}

    void section(const triplay::IniSection& s) {
        auto [kind, arg] = triplay::split_section(s.name);
        std::string context = fmt::format("[{}]", printable(s.name));
        Target t;
        if ((kind == "global" || kind == "disabled") && arg.empty()) {
            t.kind = kind == "global" ? Target::Kind::Global : Target::Kind::Disabled;
        } else if (kind == "global" || kind == "disabled") {
            m_b.error(s.line, fmt::format("{}: [{}] takes no interface name", context, kind));
        } else if (kind == "upstream" || kind == "downstream") {
            std::string name(arg);
            if (arg.empty()) {
                m_b.error(s.line, fmt::format("{}: expected [{} NAME]", context, kind));
            } else if (m_b.check_ifname(s.line, context, name) &&
                       m_b.claim(s.line, context, name)) {
                if (kind == "upstream") {
                    t.kind = Target::Kind::Upstream;
                    t.index = m_b.upstream_count();
                    Upstream u;
                    u.name = name;
                    m_b.add_upstream(s.line, context, std::move(u));
                } else {
                    t.kind = Target::Kind::Downstream;
                    t.index = m_c.downstreams.size();
                    m_c.downstreams.emplace_back().name = name;
                }
            }
        } else {
            m_b.error(s.line, fmt::format("unknown section {} (expected [global], [upstream NAME], "
                                          "[downstream NAME] or [disabled])",
                                          context));
        }
        m_targets[s.name] = t;
    }

    void entry(const IniEntry& e) {
        if (e.section.empty()) {
            m_b.error(e.line, fmt::format("'{}' outside any section", printable(e.key)));
            return;
        }
        auto it = m_targets.find(e.section);
        if (it == m_targets.end() || it->second.kind == Target::Kind::Ignore) return;
        const Target& t = it->second;
        bool list = e.key == "whitelist" || e.key == "blacklist" || e.key == "altnet" ||
                    e.key == "interfaces";
        // A setting given twice is a mistake in one of the two places; lists add up.
        auto [seen, fresh] = m_seen.try_emplace({e.section, e.key}, e.line);
        if (!fresh && !list) {
            m_b.error(e.line, fmt::format("{} given twice in [{}] (first at line {})",
                                          printable(e.key), printable(e.section), seen->second));
            return;
        }
        switch (t.kind) {
            case Target::Kind::Global: global(e); break;
            case Target::Kind::Upstream: upstream(e, m_b.upstream(t.index)); break;
            case Target::Kind::Downstream: downstream(e, m_c.downstreams.at(t.index)); break;
            case Target::Kind::Disabled: disabled(e); break;
            case Target::Kind::Ignore: break;
        }
    }

    // Defaults that follow other settings (RFC 3376 §8.6, §8.7, §8.9), and §8.3's rule that
    // the response interval is shorter than the query interval.
    void finish() {
        if (!given("startup-query-interval"))
            m_c.startup_query_interval = std::max(std::chrono::seconds(1), m_c.query_interval / 4);
        if (!given("startup-query-count")) m_c.startup_query_count = m_c.robustness;
        if (!given("last-member-count")) m_c.last_member_count = m_c.robustness;
        if (m_c.query_response_interval >= m_c.query_interval) {
            int line = given("query-response-interval") ? given("query-response-interval")
                                                        : given("query-interval");
            m_b.error(line, "query-response-interval must be shorter than query-interval "
                            "(RFC 3376 §8.3)");
        }
        m_b.finish("no [upstream NAME] section: igmpproxyd needs the interface that faces the "
                   "multicast sources",
                   "no [downstream NAME] section: igmpproxyd would proxy for no one (or set "
                   "unlisted-interfaces = downstream)");
    }

private:
    int given(const std::string& key) const {
        auto it = m_seen.find({"global", key});
        return it == m_seen.end() ? 0 : it->second;
    }

    void bad(const IniEntry& e, std::string_view what) {
        m_b.error(e.line, fmt::format("{} = {}: {}", printable(e.key), printable(e.value), what));
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

    void seconds(const IniEntry& e, std::chrono::seconds& out, uint64_t min, uint64_t max) {
        if (auto n = parse_uint(e.value, min, max))
            out = std::chrono::seconds(*n);
        else
            bad(e, fmt::format("expected seconds from {} to {}", min, max));
    }

    // IGMPv2's Max Response Time is one byte of tenths (RFC 2236 §2.2): 0.1 to 25.5 s fits
    // both versions without IGMPv3's exponential code.
    void tenths(const IniEntry& e, Deciseconds& out) {
        auto t = parse_tenths(e.value);
        if (t && *t >= 1 && *t <= 255)
            out = Deciseconds(static_cast<int64_t>(*t));
        else
            bad(e, "expected seconds from 0.1 to 25.5, with one decimal at most");
    }

    void groups(const IniEntry& e, GroupFilter& f) {
        List which = e.key == "whitelist" ? List::White : List::Black;
        auto& out = which == List::White ? f.whitelist : f.blacklist;
        std::string context = fmt::format("{} = {}", e.key, printable(e.value));
        for (auto w : split_words(e.value))
            if (auto p = m_b.group_prefix(e.line, context, w, which)) out.push_back(*p);
    }

    void global(const IniEntry& e) {
        const std::string& k = e.key;
        if (k == "quickleave") {
            flag(e, m_c.quickleave);
        } else if (k == "upstream-version") {
            if (e.value == "auto")
                m_c.upstream_version = UpstreamVersion::Auto;
            else if (e.value == "2")
                m_c.upstream_version = UpstreamVersion::V2;
            else if (e.value == "3")
                m_c.upstream_version = UpstreamVersion::V3;
            else
                bad(e, "expected auto, 2 or 3");
        } else if (k == "upstream-refresh") {
            if (e.value == "auto") {
                m_c.upstream_refresh_mode = RefreshMode::Auto;
                m_c.upstream_refresh = std::chrono::seconds(60);
            } else if (e.value == "off") {
                m_c.upstream_refresh_mode = RefreshMode::Off;
            } else if (auto n = parse_uint(e.value, 10, 3600)) {
                m_c.upstream_refresh_mode = RefreshMode::Fixed;
                m_c.upstream_refresh = std::chrono::seconds(*n);
            } else {
                bad(e, "expected auto, off or seconds from 10 to 3600");
            }
        } else if (k == "robustness") {
            // RFC 3376 §8.1: MUST NOT be zero; the QRV field has three bits.
            number(e, m_c.robustness, 1, 7);
        } else if (k == "query-interval") {
            seconds(e, m_c.query_interval, 1, kMaxQueryInterval);
        } else if (k == "query-response-interval") {
            tenths(e, m_c.query_response_interval);
        } else if (k == "last-member-interval") {
            tenths(e, m_c.last_member_interval);
        } else if (k == "last-member-count") {
            number(e, m_c.last_member_count, 1, 7);
        } else if (k == "startup-query-interval") {
            seconds(e, m_c.startup_query_interval, 1, kMaxQueryInterval);
        } else if (k == "startup-query-count") {
            number(e, m_c.startup_query_count, 1, 7);
        } else if (k == "max-groups") {
            number(e, m_c.max_groups, 1, 100000);
        } else if (k == "fix-sysctl") {
            flag(e, m_c.fix_sysctl);
        } else if (k == "state-file") {
            m_c.state_file = e.value;
        } else if (k == "user") {
            m_c.user = e.value;
        } else if (k == "whitelist" || k == "blacklist") {
            groups(e, m_c.groups);
        } else if (k == "unlisted-interfaces") {
            if (e.value == "disabled")
                m_c.unlisted = Role::Disabled;
            else if (e.value == "downstream")
                m_c.unlisted = Role::Downstream;
            else
                bad(e, "expected disabled or downstream");
        } else {
            unknown(e, "[global]");
        }
    }

    void upstream(const IniEntry& e, Upstream& u) {
        const std::string& k = e.key;
        if (k == "altnet") {
            std::string context = fmt::format("altnet = {}", printable(e.value));
            for (auto w : split_words(e.value))
                if (auto p = m_b.source_prefix(e.line, context, w)) u.altnet.push_back(*p);
        } else if (k == "route-check") {
            flag(e, u.route_check);
        } else if (k == "whitelist" || k == "blacklist") {
            groups(e, u.groups);
        } else if (k == "ratelimit") {
            number(e, u.ratelimit, 0, UINT32_MAX);
        } else if (k == "threshold") {
            number(e, u.threshold, 1, 255);
        } else {
            unknown(e, fmt::format("[upstream {}]", u.name));
        }
    }

    void downstream(const IniEntry& e, Downstream& d) {
        const std::string& k = e.key;
        if (k == "querier") {
            flag(e, d.querier);
        } else if (k == "whitelist" || k == "blacklist") {
            groups(e, d.groups);
        } else if (k == "ratelimit") {
            number(e, d.ratelimit, 0, UINT32_MAX);
        } else if (k == "threshold") {
            number(e, d.threshold, 1, 255);
        } else if (k == "altnet" || k == "route-check") {
            m_b.error(e.line, fmt::format("{} belongs in [upstream NAME], not in [downstream {}]",
                                          k, d.name));
        } else {
            unknown(e, fmt::format("[downstream {}]", d.name));
        }
    }

    void disabled(const IniEntry& e) {
        if (e.key != "interfaces") return unknown(e, "[disabled]");
        for (auto w : split_words(e.value)) {
            std::string name(w);
            if (m_b.check_ifname(e.line, "[disabled] interfaces", name) &&
                m_b.claim(e.line, "[disabled] interfaces", name))
                m_c.disabled.push_back(name);
        }
    }

    void unknown(const IniEntry& e, std::string_view where) {
        m_b.error(e.line, fmt::format("unknown key '{}' in {}", printable(e.key), where));
    }

    Builder& m_b;
    Config& m_c;
    std::map<std::string, Target> m_targets;
    std::map<std::pair<std::string, std::string>, int> m_seen;
};

}  // namespace

bool GroupFilter::allows(Ipv4 group) const {
    if (!group.is_multicast() || kLinkLocalGroups.contains(group)) return false;
    auto has = [group](const std::vector<Prefix4>& list) {
        return std::any_of(list.begin(), list.end(),
                           [group](const Prefix4& p) { return p.contains(group); });
    };
    return (whitelist.empty() || has(whitelist)) && !has(blacklist);
}

Role Config::role_of(std::string_view ifname) const {
    if (ifname == upstream.name) return Role::Upstream;
    if (find_downstream(ifname)) return Role::Downstream;
    if (std::find(disabled.begin(), disabled.end(), ifname) != disabled.end())
        return Role::Disabled;
    return unlisted;
}

const Downstream* Config::find_downstream(std::string_view ifname) const {
    for (const auto& d : downstreams)
        if (d.name == ifname) return &d;
    return nullptr;
}

tl::expected<Config, ConfigErrors> parse_config(const triplay::IniFile& ini) {
    ConfigErrors errors(ini.path);
    Config c;
    Builder b(errors, c);
    IniParser parser(b, c);
    for (const auto& s : ini.sections) parser.section(s);
    for (const auto& e : ini.entries) parser.entry(e);
    parser.finish();
    if (!errors.empty()) return tl::unexpected(errors);
    return c;
}

tl::expected<Config, ConfigErrors> parse_config_text(std::string_view text,
                                                     const std::string& path, Format format) {
    if (format == Format::Auto) format = detect_format(text, path);
    if (format == Format::Legacy) return parse_legacy(text, path);
    auto ini = triplay::parse_ini(text, path);
    if (!ini) return tl::unexpected(ini.error());
    return parse_config(*ini);
}

tl::expected<Config, ConfigErrors> load_config(const std::string& path, Format format) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ConfigErrors e(path);
        e.add(0, fmt::format("cannot open: {}", std::strerror(errno)));
        return tl::unexpected(e);
    }
    std::string text;
    text.resize(triplay::kMaxConfigBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > triplay::kMaxConfigBytes) {
        ConfigErrors e(path);
        e.add(0, fmt::format("file larger than {} bytes", triplay::kMaxConfigBytes));
        return tl::unexpected(e);
    }
    return parse_config_text(text, path, format);
}

std::string format_warnings(const Config& config, const std::string& path) {
    std::string out;
    for (const auto& [line, text] : config.warnings) {
        if (line > 0)
            out += fmt::format("{}:{}: warning: {}\n", path, line, text);
        else
            out += fmt::format("{}: warning: {}\n", path, text);
    }
    return out;
}

}  // namespace igmp
