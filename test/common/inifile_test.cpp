// SPDX-License-Identifier: GPL-2.0-or-later
#include "inifile.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

using namespace triplay;

namespace {

const IniEntry* find(const IniFile& f, std::string_view section, std::string_view key) {
    for (const auto& e : f.entries)
        if (e.section == section && e.key == key) return &e;
    return nullptr;
}

// The first error's "file:line: message" line.
std::string first_error(const tl::expected<IniFile, ConfigErrors>& r) {
    REQUIRE_FALSE(r);
    REQUIRE_FALSE(r.error().empty());
    std::string all = r.error().to_string();
    return all.substr(0, all.find('\n'));
}

}  // namespace

TEST_CASE("parse_ini reads sections, keys and line numbers of a good file", "[ini]") {
    const char* text =
        "# ripd-passive\n"
        "user = triplay\n"
        "\n"
        "[interface vlan2]\n"
        "passive = yes\n"
        "metric=3\n"
        "; a comment line\n"
        "[interface vlan3]\n"
        "  passive  =  no  \n";
    auto r = parse_ini(text, "good.conf");
    REQUIRE(r);
    CHECK(r->path == "good.conf");
    REQUIRE(r->entries.size() == 4);
    CHECK(r->entries[0].section == "");
    CHECK(r->entries[0].key == "user");
    CHECK(r->entries[0].value == "triplay");
    CHECK(r->entries[0].line == 2);
    const IniEntry* metric = find(*r, "interface vlan2", "metric");
    REQUIRE(metric);
    CHECK(metric->value == "3");
    CHECK(metric->line == 6);
    const IniEntry* passive3 = find(*r, "interface vlan3", "passive");
    REQUIRE(passive3);
    CHECK(passive3->value == "no");  // surrounding blanks trimmed
    CHECK(passive3->line == 9);
    REQUIRE(r->sections.size() == 2);
    CHECK(r->sections[0].name == "interface vlan2");
    CHECK(r->sections[0].line == 4);
    CHECK(r->sections[1].line == 8);
}

TEST_CASE("parse_ini records sections that hold no keys", "[ini]") {
    auto r = parse_ini("[global]\n[empty]\n[last]\nk = v\n", "f.conf");
    REQUIRE(r);
    REQUIRE(r->sections.size() == 3);
    CHECK(r->sections[1].name == "empty");
    CHECK(r->sections[1].line == 2);
    REQUIRE(r->entries.size() == 1);
    CHECK(r->entries[0].section == "last");
}

TEST_CASE("parse_ini reports a line that is neither section nor key as file:line", "[ini]") {
    auto r = parse_ini("[a]\nk = v\nthis is not ini\n", "bad.conf");
    CHECK(first_error(r) == "bad.conf:3: syntax error: expected '[section]' or 'key = value'");
}

TEST_CASE("parse_ini reports an unterminated section header", "[ini]") {
    auto r = parse_ini("k = v\n[broken\n", "bad.conf");
    CHECK(first_error(r).rfind("bad.conf:2: ", 0) == 0);
}

TEST_CASE("parse_ini rejects a line too long instead of splitting it", "[ini]") {
    std::string text = "[a]\nkey = " + std::string(5000, 'x') + "\nother = 1\n";
    auto r = parse_ini(text, "long.conf");
    std::string e = first_error(r);
    CHECK(e.rfind("long.conf:2: line too long", 0) == 0);
    CHECK(r.error().size() == 1);  // the tail of the long line is not parsed as a line of its own
}

TEST_CASE("parse_ini gives later syntax errors their own line after a long line", "[ini]") {
    std::string text = "[a]\nkey = " + std::string(5000, 'x') + "\nnot ini\n";
    auto r = parse_ini(text, "long.conf");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().size() == 2);
    CHECK(r.error().list()[0].first == 2);
    CHECK(r.error().list()[1].first == 3);
}

TEST_CASE("parse_ini rejects a duplicate section and names the first one", "[ini]") {
    auto r = parse_ini("[a]\nk = 1\n[b]\n[a]\nk = 2\n", "dup.conf");
    CHECK(first_error(r) == "dup.conf:4: duplicate section [a] (first at line 1)");
}

TEST_CASE("parse_ini reports every problem, sorted by line", "[ini]") {
    auto r = parse_ini("[a]\n[a]\nbad line\n[a]\n", "many.conf");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().size() >= 3);
    const auto& list = r.error().list();
    for (size_t i = 1; i < list.size(); ++i) CHECK(list[i - 1].first <= list[i].first);
    CHECK(list.front().first == 2);
}

TEST_CASE("parse_ini accepts CRLF line ends", "[ini]") {
    auto r = parse_ini("[interface vlan2]\r\nmetric = 3\r\n[x]\r\n", "crlf.conf");
    REQUIRE(r);
    const IniEntry* e = find(*r, "interface vlan2", "metric");
    REQUIRE(e);
    CHECK(e->value == "3");
    CHECK(e->line == 2);
    REQUIRE(r->sections.size() == 2);
    CHECK(r->sections[1].name == "x");
}

TEST_CASE("parse_ini skips a UTF-8 byte order mark", "[ini]") {
    auto r = parse_ini("\xEF\xBB\xBF[global]\nk = v\n", "bom.conf");
    REQUIRE(r);
    REQUIRE(r->sections.size() == 1);
    CHECK(r->sections[0].name == "global");
    REQUIRE(find(*r, "global", "k"));

    auto keys_first = parse_ini("\xEF\xBB\xBFk = v\n", "bom.conf");
    REQUIRE(keys_first);
    REQUIRE(keys_first->entries.size() == 1);
    CHECK(keys_first->entries[0].key == "k");
}

TEST_CASE("parse_ini strips inline ';' comments", "[ini]") {
    auto r = parse_ini("[a]\nk = value ; why\nurl = http://x/;y\n", "c.conf");
    REQUIRE(r);
    CHECK(find(*r, "a", "k")->value == "value");
    // inih only treats ';' as a comment after whitespace.
    CHECK(find(*r, "a", "url")->value == "http://x/;y");
}

TEST_CASE("parse_ini rejects NUL bytes", "[ini]") {
    std::string text = "[a]\nk = v";
    text += '\0';
    text += "x\n";
    auto r = parse_ini(text, "nul.conf");
    CHECK(first_error(r) == "nul.conf:2: NUL byte in line");
}

TEST_CASE("parse_ini reads indented lines as keys of their own, not continuations", "[ini]") {
    auto r = parse_ini("[interface vlan2]\n    auth = md5\n    key = secret\n  [global]\n\ttimeout = 6\n",
                       "indent.conf");
    REQUIRE(r);
    REQUIRE(r->entries.size() == 3);
    CHECK(r->entries[0].key == "auth");
    CHECK(r->entries[0].value == "md5");
    CHECK(r->entries[1].key == "key");
    CHECK(r->entries[1].line == 3);
    CHECK(r->entries[2].section == "global");
    CHECK(r->sections.size() == 2);
}

TEST_CASE("parse_ini of an empty text is an empty file", "[ini]") {
    auto r = parse_ini("", "empty.conf");
    REQUIRE(r);
    CHECK(r->entries.empty());
    CHECK(r->sections.empty());
}

TEST_CASE("load_ini reads a file and reports a missing one at line 0", "[ini]") {
    char dir[] = "/tmp/triplay-ini-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/t.conf";
    {
        std::ofstream out(path);
        out << "[s]\nk = v\n";
    }
    auto r = load_ini(path);
    REQUIRE(r);
    CHECK(find(*r, "s", "k"));
    std::remove(path.c_str());

    auto missing = load_ini(path);
    REQUIRE_FALSE(missing);
    REQUIRE(missing.error().size() == 1);
    CHECK(missing.error().list()[0].first == 0);
    // Line 0 means the whole file: printed without a line number.
    CHECK(missing.error().to_string() == path + ": cannot open: No such file or directory\n");
    rmdir(dir);
}

TEST_CASE("ConfigErrors formats file:line: message lines", "[ini]") {
    ConfigErrors e("x.conf");
    CHECK(e.empty());
    e.add(3, "unknown key 'foo'");
    e.add(7, "bad value");
    CHECK(e.size() == 2);
    CHECK(e.to_string() == "x.conf:3: unknown key 'foo'\nx.conf:7: bad value\n");
    e.add(0, "missing section [global]");
    CHECK(e.to_string() ==
          "x.conf:3: unknown key 'foo'\nx.conf:7: bad value\nx.conf: missing section [global]\n");
}

TEST_CASE("parse_bool", "[ini]") {
    for (const char* y : {"yes", "true", "on", "1"}) CHECK(parse_bool(y) == true);
    for (const char* n : {"no", "false", "off", "0"}) CHECK(parse_bool(n) == false);
    for (const char* bad : {"", "Yes", "2", "y", "enable"}) CHECK_FALSE(parse_bool(bad));
}

TEST_CASE("parse_uint checks syntax and range", "[ini]") {
    CHECK(parse_uint("0", 0, 10) == 0u);
    CHECK(parse_uint("10", 0, 10) == 10u);
    CHECK(parse_uint("18446744073709551615", 0, UINT64_MAX) == UINT64_MAX);
    CHECK_FALSE(parse_uint("11", 0, 10));
    CHECK_FALSE(parse_uint("0", 1, 10));
    CHECK_FALSE(parse_uint("", 0, 10));
    CHECK_FALSE(parse_uint("-1", 0, 10));
    CHECK_FALSE(parse_uint("+1", 0, 10));
    CHECK_FALSE(parse_uint("1x", 0, 10));
    CHECK_FALSE(parse_uint(" 1", 0, 10));
    CHECK_FALSE(parse_uint("18446744073709551616", 0, UINT64_MAX));
}

TEST_CASE("split_words splits on blanks and commas", "[ini]") {
    auto w = split_words("  vlan2, vlan3\tvlan6,,");
    REQUIRE(w.size() == 3);
    CHECK(w[0] == "vlan2");
    CHECK(w[1] == "vlan3");
    CHECK(w[2] == "vlan6");
    CHECK(split_words("").empty());
    CHECK(split_words(" ,\t").empty());
}

TEST_CASE("split_section separates kind and name", "[ini]") {
    CHECK(split_section("interface vlan2") ==
          std::pair<std::string_view, std::string_view>{"interface", "vlan2"});
    CHECK(split_section("interface \t vlan3 ") ==
          std::pair<std::string_view, std::string_view>{"interface", "vlan3"});
    CHECK(split_section("global") == std::pair<std::string_view, std::string_view>{"global", ""});
}
