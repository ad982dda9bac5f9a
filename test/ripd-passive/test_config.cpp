// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "config.h"

using namespace ripd;

namespace {
tl::expected<Config, triplay::ConfigErrors> parse(std::string_view text) {
    auto ini = triplay::parse_ini(text, "test.conf");
    if (!ini) return tl::unexpected(ini.error());
    return parse_config(*ini);
}
std::string errors(std::string_view text) {
    auto c = parse(text);
    return c ? std::string() : c.error().to_string();
}
}  // namespace

TEST_CASE("config: the seed's setup, defaults everywhere") {
    auto c = parse("[interface vlan2]\n[interface vlan3]\n");
    REQUIRE(c);
    CHECK(c->proto == 11);
    CHECK(c->metric.of(2) == 3);  // the seed's "proto zebra metric 3"
    CHECK(c->table == 254);
    CHECK(c->timeout == std::chrono::seconds(180));
    CHECK(c->garbage == std::chrono::seconds(120));
    CHECK_FALSE(c->allow_default);
    CHECK_FALSE(c->request_on_start);
    REQUIRE(c->interfaces.size() == 2);
    CHECK(c->interfaces[0].name == "vlan2");
    CHECK(c->interfaces[0].versions == RipVersions::V2);
    CHECK(c->interfaces[1].auth.mode == AuthMode::None);
}

TEST_CASE("config: every key") {
    auto c = parse(R"([global]
proto = rip
metric = 20
table = 100
timeout = 6
garbage = 4
max-routes = 50
allow-default = yes
keep-routes-on-exit = on
request-on-start = true
state-file =
user = nobody
[interface vlan3]
version = both
auth = md5
key = secret
key-id = 7
neighbors = 10.25.192.1, 10.25.192.2
accept = 10.31.255.128/27 172.26.0.0/16
)");
    REQUIRE(c);
    CHECK(c->proto == 189);
    CHECK_FALSE(c->metric.relative);
    CHECK(c->metric.of(5) == 20);
    CHECK(c->table == 100);
    CHECK(c->timeout == std::chrono::seconds(6));
    CHECK(c->max_routes == 50);
    CHECK(c->allow_default);
    CHECK(c->keep_routes_on_exit);
    CHECK(c->state_file.empty());
    CHECK(c->user == "nobody");
    const auto& i = c->interfaces.at(0);
    CHECK(i.versions == RipVersions::Both);
    CHECK(i.auth.mode == AuthMode::Md5);
    CHECK(i.auth.key_id == 7);
    CHECK(i.auth.key[0] == 's');
    CHECK(i.auth.key[6] == 0);
    CHECK(i.neighbors.size() == 2);
    CHECK(i.accept.size() == 2);
}

TEST_CASE("config: metric forms") {
    CHECK(parse("[global]\nmetric = rip\n[interface a]\n")->metric.of(2) == 2);
    CHECK(parse("[global]\nmetric = rip+10\n[interface a]\n")->metric.of(2) == 12);
    CHECK(parse("[global]\nproto = 42\n[interface a]\n")->proto == 42);
    CHECK(parse("[global]\nproto = zebra\n[interface a]\n")->proto == 11);
}

TEST_CASE("config: every problem at file:line") {
    struct Row {
        const char* text;
        const char* want;
    };
    std::vector<Row> rows = {
        {"[global]\nbogus = 1\n[interface a]\n", "test.conf:2: unknown key 'bogus' in [global]"},
        {"[interface a]\nkye = x\n", "test.conf:2: unknown key 'kye' in [interface a]"},
        {"[routers]\n[interface a]\n", "test.conf:1: unknown section [routers]"},
        {"[interface]\n", "test.conf:1: [interface]: expected [interface NAME]"},
        {"[interface a]\n[interface a]\n", "test.conf:2: duplicate section [interface a]"},
        {"[global]\ntimeout = 0\n[interface a]\n", "test.conf:2: timeout = 0: expected a whole number from 1"},
        {"[global]\ntimeout = 10s\n[interface a]\n", "test.conf:2: timeout = 10s"},
        {"[global]\nmetric = rip+x\n[interface a]\n", "test.conf:2: metric = rip+x: expected rip+N"},
        {"[global]\nproto = nonsense\n[interface a]\n", "test.conf:2: proto = nonsense"},
        {"[global]\nproto = boot\n[interface a]\n", "test.conf:2: proto = boot: protocols 0-4"},
        {"[global]\nproto = static\n[interface a]\n", "test.conf:2: proto = static: protocols 0-4"},
        {"[global]\nproto = 2\n[interface a]\n", "test.conf:2: proto = 2: protocols 0-4"},
        {"[global]\nallow-default = maybe\n[interface a]\n", "test.conf:2: allow-default = maybe: expected yes or no"},
        {"[global]\ntable = 0\n[interface a]\n", "test.conf:2: table = 0"},
        {"[interface a]\nauth = sha1\n", "test.conf:2: auth = sha1: expected none, plain or md5"},
        {"[interface a]\nauth = md5\n", "test.conf:1: [interface a]: auth = md5 needs key ="},
        {"[interface a]\nkey = x\n", "test.conf:1: [interface a]: key = given but auth = none"},
        {"[interface a]\nauth = md5\nkey = 0123456789abcdefX\n", "test.conf:3: key: expected 1 to 16"},
        {"[interface a]\nneighbors = 10.0.0.256\n", "test.conf:2: neighbors = 10.0.0.256: '10.0.0.256' is not an IPv4"},
        {"[interface a]\naccept = 172.26.0.1/16\n", "test.conf:2: accept = 172.26.0.1/16: '172.26.0.1/16' is not a prefix"},
        {"[interface a]\nversion = 3\n", "test.conf:2: version = 3: expected 2, 1 or both"},
        {"[global]\n", "test.conf: no [interface NAME] section"},
        {"orphan = 1\n[interface a]\n", "test.conf:1: 'orphan' outside any section"},
        {"[interface a]\nthis is not ini\n", "test.conf:2: syntax error"},
        {"[interface a]\nkey_id\n", "test.conf:2: syntax error"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto e = errors(row.text);
        CHECK_THAT(e, Catch::Contains(row.want));
    }
}

TEST_CASE("config: all problems reported at once") {
    auto c = parse("[global]\ntimeout = x\ngarbage = y\n[interface a]\nauth = z\n");
    REQUIRE_FALSE(c);
    CHECK(c.error().size() == 3);
}

TEST_CASE("config: nonsense bytes are errors, not crashes") {
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) & 0xff);
    auto c = parse(junk);
    CHECK_FALSE(c);
    std::string longline = "[interface a]\nneighbors = " + std::string(5000, '1') + "\n";
    CHECK_THAT(errors(longline), Catch::Contains("line too long"));
}
