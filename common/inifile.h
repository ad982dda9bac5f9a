// SPDX-License-Identifier: GPL-2.0-or-later
// INI files read with inih, kept as a flat list of (section, key, value, line) so a daemon's
// config parser can reject unknown sections and keys with file:line, and report every problem
// in one run of -n rather than the first one only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace triplay {

struct IniEntry {
    std::string section;  // "" before the first [section]
    std::string key;
    std::string value;
    int line = 0;
};

struct IniSection {
    std::string name;
    int line = 0;
};

struct IniFile {
    std::string path;
    std::vector<IniSection> sections;  // in file order, including empty ones
    std::vector<IniEntry> entries;     // in file order
};

// Problems found in a config file, each at file:line.
class ConfigErrors {
public:
    explicit ConfigErrors(std::string file = {}) : m_file(std::move(file)) {}
    void add(int line, std::string message) { m_list.push_back({line, std::move(message)}); }
    bool empty() const { return m_list.empty(); }
    size_t size() const { return m_list.size(); }
    // "file:line: message" lines, newline-terminated.
    std::string to_string() const;
    const std::vector<std::pair<int, std::string>>& list() const { return m_list; }

private:
    std::string m_file;
    std::vector<std::pair<int, std::string>> m_list;
};

inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Parses INI text. Syntax errors, lines over the limit and duplicate sections are errors.
tl::expected<IniFile, ConfigErrors> parse_ini(std::string_view text, const std::string& path);
// Reads (at most kMaxConfigBytes) and parses a file. Unreadable files are an error at line 0.
tl::expected<IniFile, ConfigErrors> load_ini(const std::string& path);

// Value helpers shared by every daemon's config parser.
std::optional<bool> parse_bool(std::string_view v);  // yes/no, true/false, on/off, 1/0
std::optional<uint64_t> parse_uint(std::string_view v, uint64_t min, uint64_t max);
// Words separated by spaces, tabs or commas.
std::vector<std::string_view> split_words(std::string_view v);
// "interface vlan2" -> {"interface", "vlan2"}; "global" -> {"global", ""}.
std::pair<std::string_view, std::string_view> split_section(std::string_view name);

}  // namespace triplay
