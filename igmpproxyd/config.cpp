// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

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

namespace {

// RFC 5771 §4: the Local Network Control Block is never forwarded off the link.
constexpr Prefix4 kLinkLocalGroups(Ipv4(224, 0, 0, 0), 24);
// RFC 3376 §4.1.7: the largest Querier's Query Interval Code can express, in seconds.
constexpr uint64_t kMaxQueryInterval = 31744;
// A file that produces more problems than this is not a config file; stop listing them.
constexpr size_t kMaxErrors = 100;

// Config text can hold anything; what goes into a message is escaped and cut short.
std::string printable(std::string_view s) {
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
std::optional<uint64_t> parse_tenths(std::string_view v) {
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

std::string_view role_name(Role r) {
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

// ---- the classic igmpproxy.conf -----------------------------------------------------------
//
// igmpproxy reads words, not lines: blanks and newlines separate them, '#' starts a comment
// that ends with the line, and a keyword's argument may be on the next line. The file is a
// sequence of global keywords (quickleave, defaultdown, rescanvif, hashtablesize N, chroot P,
// user U) and "phyint NAME" followed by that interface's words (upstream | downstream |
// disabled, ratelimit N, threshold N, altnet P, whitelist P, blacklist P) until a word that is
// not one of them.

struct Token {
    std::string_view text;
    int line = 0;
};

constexpr std::array<std::string_view, 7> kTopWords = {
    "phyint", "quickleave", "defaultdown", "rescanvif", "hashtablesize", "chroot", "user"};
constexpr std::array<std::string_view, 8> kPhyintWords = {
    "upstream",  "downstream", "disabled",  "ratelimit",
    "threshold", "altnet",     "whitelist", "blacklist"};

bool is_top_word(std::string_view w) {
    return std::find(kTopWords.begin(), kTopWords.end(), w) != kTopWords.end();
}
bool is_phyint_word(std::string_view w) {
    return std::find(kPhyintWords.begin(), kPhyintWords.end(), w) != kPhyintWords.end();
}
bool is_keyword(std::string_view w) { return is_top_word(w) || is_phyint_word(w); }

std::string_view skip_bom(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") return text.substr(3);
    return text;
}

std::vector<Token> tokenize(std::string_view text, Builder& b) {
    std::vector<Token> out;
    text = skip_bom(text);
    int line = 1;
    bool comment = false;
    bool nul_reported = false;
    size_t start = std::string_view::npos;
    auto end_word = [&](size_t at) {
        if (start != std::string_view::npos) out.push_back({text.substr(start, at - start), line});
        start = std::string_view::npos;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') {
            end_word(i);
            ++line;
            comment = false;
            nul_reported = false;
        } else if (comment) {
            continue;
        } else if (c == '#') {
            end_word(i);
            comment = true;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
            end_word(i);
        } else if (c == '\0') {
            end_word(i);
            if (!nul_reported) b.error(line, "NUL byte in line");
            nul_reported = true;
        } else if (start == std::string_view::npos) {
            start = i;
        }
    }
    end_word(text.size());
    return out;
}

class LegacyParser {
public:
    LegacyParser(std::vector<Token> tokens, Builder& b, Config& c)
        : m_tokens(std::move(tokens)), m_b(b), m_c(c) {}

    void run() {
        while (auto t = take()) {
            if (m_b.too_many()) return;
            std::string_view w = t->text;
            if (w == "phyint") {
                phyint(*t);
            } else if (w == "quickleave") {
                m_c.quickleave = true;
            } else if (w == "defaultdown") {
                // Interfaces the file does not name are downstream, and so is a phyint without
                // a role that comes after this word (igmpproxy's defaultInterfaceState).
                m_default_role = Role::Downstream;
                m_c.unlisted = Role::Downstream;
            } else if (w == "rescanvif") {
                // igmpproxyd follows interfaces over netlink always.
            } else if (w == "hashtablesize") {
                if (auto v = value(*t, "", "a size in bytes")) {
                    if (parse_uint(v->text, 1, 536870912))
                        m_b.warn(t->line, "hashtablesize has no effect: igmpproxyd keeps every "
                                          "host's membership without a fixed table");
                    else
                        m_b.error(v->line, fmt::format("hashtablesize {}: expected a whole number "
                                                       "from 1 to 536870912",
                                                       printable(v->text)));
                }
            } else if (w == "chroot") {
                if (value(*t, "", "a directory"))
                    m_b.warn(t->line, "chroot is ignored: igmpproxyd does not chroot; its systemd "
                                      "unit confines it instead");
            } else if (w == "user") {
                if (auto v = value(*t, "", "a user name")) m_c.user = std::string(v->text);
            } else if (is_phyint_word(w)) {
                m_b.error(t->line, fmt::format("'{}' must follow 'phyint NAME'", w));
                skip_to(is_top_word);
            } else {
                m_b.error(t->line, fmt::format("unknown keyword '{}' (expected phyint, quickleave, "
                                               "defaultdown, rescanvif, hashtablesize, chroot or "
                                               "user)",
                                               printable(w)));
                skip_to(is_top_word);
            }
        }
    }

    void finish() {
        m_b.finish("no upstream interface: add 'phyint NAME upstream'",
                   "no downstream interface: add 'phyint NAME downstream' (or 'defaultdown')");
    }

private:
    struct Rule {
        Prefix4 prefix;
        List list;
        int line = 0;
    };
    struct Phyint {
        std::string name;
        int line = 0;
        std::optional<Role> role;
        Role default_role = Role::Disabled;
        int first_option_line = 0;
        uint32_t ratelimit = 0;
        uint8_t threshold = 1;
        std::vector<std::pair<Prefix4, int>> altnet;
        std::vector<Rule> rules;
    };

    std::optional<Token> peek() const {
        if (m_next < m_tokens.size()) return m_tokens[m_next];
        return std::nullopt;
    }
    std::optional<Token> take() {
        auto t = peek();
        if (t) ++m_next;
        return t;
    }
    void skip_to(bool (*stop)(std::string_view)) {
        while (auto t = peek()) {
            if (stop(t->text)) return;
            ++m_next;
        }
    }

    // The word after a keyword is its argument, unless it is itself a keyword: then the
    // argument is missing and the keyword is left for the parser.
    std::optional<Token> value(const Token& kw, std::string_view context, std::string_view what) {
        auto v = peek();
        if (!v || is_keyword(v->text)) {
            m_b.error(kw.line, fmt::format("{}{} needs {}", context, kw.text, what));
            return std::nullopt;
        }
        return take();
    }

    template <typename T>
    void number(const Token& kw, std::string_view context, T& out, uint64_t min, uint64_t max) {
        auto v = value(kw, context, "a number");
        if (!v) return;
        if (auto n = parse_uint(v->text, min, max))
            out = static_cast<T>(*n);
        else
            m_b.error(v->line, fmt::format("{}{} {}: expected a whole number from {} to {}",
                                           context, kw.text, printable(v->text), min, max));
    }

    void phyint(const Token& kw) {
        auto name = peek();
        if (!name || is_keyword(name->text)) {
            m_b.error(kw.line, "phyint needs an interface name");
            return;
        }
        take();
        Phyint p;
        p.name = std::string(name->text);
        p.line = kw.line;
        p.default_role = m_default_role;
        std::string context = fmt::format("phyint {}: ", printable(p.name));
        while (auto t = peek()) {
            std::string_view w = t->text;
            if (is_top_word(w)) break;
            take();
            if (w != "upstream" && w != "downstream" && w != "disabled" && !p.first_option_line)
                p.first_option_line = t->line;
            if (w == "upstream" || w == "downstream" || w == "disabled") {
                Role r = w == "upstream"     ? Role::Upstream
                         : w == "downstream" ? Role::Downstream
                                             : Role::Disabled;
                if (p.role && *p.role != r)
                    m_b.error(t->line, fmt::format("{}both {} and {}", context,
                                                   role_name(*p.role), w));
                else
                    p.role = r;
            } else if (w == "ratelimit") {
                number(*t, context, p.ratelimit, 0, UINT32_MAX);
            } else if (w == "threshold") {
                number(*t, context, p.threshold, 1, 255);
            } else if (w == "altnet") {
                auto v = value(*t, context, "a source prefix");
                std::string ctx = fmt::format("{}altnet", context);
                if (v)
                    if (auto pr = m_b.source_prefix(v->line, ctx, v->text, Builder::HostBits::Warn))
                        p.altnet.emplace_back(*pr, v->line);
            } else if (w == "whitelist" || w == "blacklist") {
                List list = w == "whitelist" ? List::White : List::Black;
                auto v = value(*t, context, "a group prefix");
                std::string ctx = fmt::format("{}{}", context, w);
                if (v)
                    if (auto pr = m_b.group_prefix(v->line, ctx, v->text, list))
                        p.rules.push_back({*pr, list, v->line});
            } else {
                m_b.error(t->line, fmt::format("{}unknown word '{}' (expected upstream, "
                                               "downstream, disabled, ratelimit, threshold, "
                                               "altnet, whitelist or blacklist)",
                                               context, printable(w)));
                skip_to(is_keyword);
            }
        }
        apply(p);
    }

    // igmpproxy lets the last matching entry of a phyint's whitelist/blacklist decide. That is
    // "whitelist, then blacklist wins" unless a whitelist entry comes after a blacklist entry
    // it overlaps: such a file means something the two lists cannot say, so it is refused.
    GroupFilter filter(const Phyint& p) {
        GroupFilter f;
        for (size_t j = 0; j < p.rules.size(); ++j) {
            const Rule& r = p.rules[j];
            if (r.list == List::Black) {
                f.blacklist.push_back(r.prefix);
                continue;
            }
            f.whitelist.push_back(r.prefix);
            for (size_t i = 0; i < j; ++i) {
                const Rule& b = p.rules[i];
                if (b.list == List::Black &&
                    (b.prefix.contains(r.prefix) || r.prefix.contains(b.prefix))) {
                    m_b.error(r.line,
                              fmt::format("phyint {}: whitelist {} after blacklist {} (line {}): "
                                          "igmpproxyd's blacklist always wins; list the "
                                          "exception as narrower blacklist entries instead",
                                          p.name, r.prefix.to_string(), b.prefix.to_string(),
                                          b.line));
                    break;
                }
            }
        }
        return f;
    }

    void apply(const Phyint& p) {
        Role role = p.role.value_or(p.default_role);
        std::string context = fmt::format("phyint {}", printable(p.name));
        if (!p.role)
            m_b.warn(p.line, fmt::format("{} has no role (upstream, downstream or disabled); it "
                                         "is {}, as in igmpproxy",
                                         context, role_name(role)));
        if (role == Role::Disabled && p.name.find(':') != std::string::npos) {
            m_b.warn(p.line, fmt::format("{}: an address label, not an interface; the line has "
                                         "no effect",
                                         context));
            return;
        }
        if (!m_b.check_ifname(p.line, context, p.name) || !m_b.claim(p.line, context, p.name))
            return;
        GroupFilter groups = filter(p);
        switch (role) {
            case Role::Upstream: {
                Upstream u;
                u.name = p.name;
                for (const auto& [prefix, line] : p.altnet) u.altnet.push_back(prefix);
                u.groups = std::move(groups);
                u.ratelimit = p.ratelimit;
                u.threshold = p.threshold;
                m_b.add_upstream(p.line, context, std::move(u));
                break;
            }
            case Role::Downstream: {
                Downstream& d = m_c.downstreams.emplace_back();
                d.name = p.name;
                d.groups = std::move(groups);
                d.ratelimit = p.ratelimit;
                d.threshold = p.threshold;
                if (!p.altnet.empty())
                    m_b.warn(p.altnet.front().second,
                             fmt::format("{}: altnet has no effect on a downstream interface: "
                                         "igmpproxyd takes reports from any sender on it",
                                         context));
                break;
            }
            case Role::Disabled:
                m_c.disabled.push_back(p.name);
                if (p.first_option_line)
                    m_b.warn(p.first_option_line,
                             fmt::format("{}: settings of a disabled interface have no effect",
                                         context));
                break;
        }
    }

    std::vector<Token> m_tokens;
    size_t m_next = 0;
    Builder& m_b;
    Config& m_c;
    Role m_default_role = Role::Disabled;
};

std::string_view basename(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

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

tl::expected<Config, ConfigErrors> parse_legacy(std::string_view text, const std::string& path) {
    ConfigErrors errors(path);
    Config c;
    Builder b(errors, c);
    if (text.size() > triplay::kMaxConfigBytes) {
        errors.add(0, fmt::format("file larger than {} bytes", triplay::kMaxConfigBytes));
        return tl::unexpected(errors);
    }
    LegacyParser parser(tokenize(text, b), b, c);
    parser.run();
    if (!b.too_many()) parser.finish();
    if (!errors.empty()) return tl::unexpected(errors);
    return c;
}

Format detect_format(std::string_view text, std::string_view path) {
    text = skip_bom(text);
    size_t i = 0;
    // The first word, past blanks and '#' comments.
    while (i < text.size()) {
        char c = text[i];
        if (c == '#') {
            size_t nl = text.find('\n', i);
            i = nl == std::string_view::npos ? text.size() : nl + 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            ++i;
        } else {
            break;
        }
    }
    // A '[section]' is never igmpproxy's, whatever the file is called.
    if (i < text.size() && text[i] == '[') return Format::Ini;
    if (basename(path) == "igmpproxy.conf") return Format::Legacy;
    size_t end = text.find_first_of(" \t\r\n\v\f#=", i);
    std::string_view word = text.substr(i, end == std::string_view::npos ? end : end - i);
    if (!is_top_word(word)) return Format::Ini;
    // "quickleave = yes" above any [section] is a broken INI file, not an igmpproxy one.
    size_t after = text.find_first_not_of(" \t", end == std::string_view::npos ? text.size() : end);
    if (after != std::string_view::npos && text[after] == '=') return Format::Ini;
    return Format::Legacy;
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
