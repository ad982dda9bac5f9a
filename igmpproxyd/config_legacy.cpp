// SPDX-License-Identifier: GPL-2.0-or-later
// The classic igmpproxy.conf, read into the same igmp::Config as the INI file.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "config_builder.h"

namespace igmp {

using triplay::ConfigErrors;
using triplay::IniEntry;
using triplay::parse_bool;
using triplay::parse_uint;
using triplay::split_words;

using namespace config_detail;

namespace {

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

}  // namespace igmp
