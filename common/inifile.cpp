// SPDX-License-Identifier: GPL-2.0-or-later
#include "inifile.h"

#include <fmt/format.h>
#include <ini.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <set>

namespace triplay {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Feeds inih one line at a time and keeps the line number, which Debian's inih (built without
// INI_HANDLER_LINENO) does not pass to the handler. It also records section headers, since
// inih does not report sections that hold no keys, and catches lines longer than inih's
// buffer, which inih would otherwise split silently into two lines.
struct Stream {
    std::string_view text;
    size_t pos = 0;
    int line = 0;
    IniFile* file;
    ConfigErrors* errors;
    std::string section;
};

char* reader(char* buf, int size, void* user) {
    auto* s = static_cast<Stream*>(user);
    while (s->pos < s->text.size()) {
        size_t end = s->text.find('\n', s->pos);
        size_t next = end == std::string_view::npos ? s->text.size() : end + 1;
        std::string_view raw = s->text.substr(s->pos, next - s->pos);
        s->pos = next;
        ++s->line;
        if (raw.size() >= static_cast<size_t>(size)) {
            s->errors->add(s->line, fmt::format("line too long ({} bytes, limit {})", raw.size(),
                                                size - 1));
            // Hand inih an empty line rather than none, so its line count (which it reports
            // for syntax errors) stays equal to ours.
            buf[0] = '\0';
            return buf;
        }
        if (raw.find('\0') != std::string_view::npos) {
            s->errors->add(s->line, "NUL byte in line");
            buf[0] = '\0';
            return buf;
        }
        std::string_view t = trim(raw);
        if (s->line == 1 && t.substr(0, 3) == "\xEF\xBB\xBF") t = trim(t.substr(3));
        if (!t.empty() && t.front() == '[') {
            size_t close = t.find(']');
            if (close != std::string_view::npos) {
                std::string name(trim(t.substr(1, close - 1)));
                for (const auto& sec : s->file->sections)
                    if (sec.name == name)
                        s->errors->add(s->line, fmt::format("duplicate section [{}] (first at line {})",
                                                            name, sec.line));
                s->file->sections.push_back({name, s->line});
            }
        }
        // inih is built with INI_ALLOW_MULTILINE: an indented line would continue the previous
        // value. People indent configs; giving inih the trimmed line turns that off.
        std::copy(t.begin(), t.end(), buf);
        buf[t.size()] = '\0';
        return buf;
    }
    return nullptr;
}

int handler(void* user, const char* section, const char* name, const char* value) {
    auto* s = static_cast<Stream*>(user);
    s->file->entries.push_back({section, name, value, s->line});
    return 1;
}

}  // namespace

std::string ConfigErrors::to_string() const {
    std::string out;
    for (const auto& [line, msg] : m_list) {
        // Line 0: the file as a whole (unreadable, or a section missing).
        if (line > 0)
            out += fmt::format("{}:{}: {}\n", m_file, line, msg);
        else
            out += fmt::format("{}: {}\n", m_file, msg);
    }
    return out;
}

tl::expected<IniFile, ConfigErrors> parse_ini(std::string_view text, const std::string& path) {
    IniFile file;
    file.path = path;
    ConfigErrors errors(path);
    Stream s{text, 0, 0, &file, &errors, {}};
    int rc = ini_parse_stream(reader, &s, handler, &s);
    if (rc > 0) {
        // inih reports the first line it could not parse; our own line count is what it saw.
        errors.add(rc, "syntax error: expected '[section]' or 'key = value'");
    } else if (rc < 0) {
        errors.add(0, "could not parse (out of memory)");
    }
    if (!errors.empty()) {
        auto list = errors.list();
        std::stable_sort(list.begin(), list.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        ConfigErrors sorted(path);
        for (auto& [l, m] : list) sorted.add(l, m);
        return tl::unexpected(sorted);
    }
    return file;
}

tl::expected<IniFile, ConfigErrors> load_ini(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ConfigErrors e(path);
        int err = errno;
        if (err == EACCES)
            // A daemon reads its config again on SIGHUP, after dropping root.
            e.add(0, fmt::format("cannot open: {} (the daemon re-reads it on reload as its "
                                 "unprivileged user: make it readable by that user's group, "
                                 "e.g. chgrp triplay and chmod 0640)", std::strerror(err)));
        else
            e.add(0, fmt::format("cannot open: {}", std::strerror(err)));
        return tl::unexpected(e);
    }
    std::string text;
    text.resize(kMaxConfigBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
        ConfigErrors e(path);
        e.add(0, fmt::format("file larger than {} bytes", kMaxConfigBytes));
        return tl::unexpected(e);
    }
    return parse_ini(text, path);
}

std::optional<bool> parse_bool(std::string_view v) {
    static const std::set<std::string_view> yes{"yes", "true", "on", "1"};
    static const std::set<std::string_view> no{"no", "false", "off", "0"};
    if (yes.count(v)) return true;
    if (no.count(v)) return false;
    return std::nullopt;
}

std::optional<uint64_t> parse_uint(std::string_view v, uint64_t min, uint64_t max) {
    uint64_t n = 0;
    if (v.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) return std::nullopt;
    return n;
}

std::vector<std::string_view> split_words(std::string_view v) {
    std::vector<std::string_view> out;
    size_t i = 0;
    auto sep = [](char c) { return c == ' ' || c == '\t' || c == ','; };
    while (i < v.size()) {
        while (i < v.size() && sep(v[i])) ++i;
        size_t start = i;
        while (i < v.size() && !sep(v[i])) ++i;
        if (i > start) out.push_back(v.substr(start, i - start));
    }
    return out;
}

std::pair<std::string_view, std::string_view> split_section(std::string_view name) {
    size_t sp = name.find_first_of(" \t");
    if (sp == std::string_view::npos) return {name, {}};
    return {name.substr(0, sp), trim(name.substr(sp + 1))};
}

}  // namespace triplay
