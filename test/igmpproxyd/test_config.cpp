// SPDX-License-Identifier: GPL-2.0-or-later
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "config.h"

using namespace igmp;
using std::chrono::seconds;
using triplay::Ipv4;
using triplay::Prefix4;

namespace {

tl::expected<Config, triplay::ConfigErrors> ini(std::string_view text) {
    return parse_config_text(text, "test.conf", Format::Ini);
}
tl::expected<Config, triplay::ConfigErrors> legacy(std::string_view text) {
    return parse_config_text(text, "test.conf", Format::Legacy);
}
std::string errors(const tl::expected<Config, triplay::ConfigErrors>& c) {
    return c ? std::string("(parsed)") : c.error().to_string();
}
Prefix4 pfx(std::string_view s) { return *Prefix4::parse(s); }

// The seed's /etc/igmpproxy.conf, verbatim.
constexpr std::string_view kSeedLegacy = R"(quickleave

phyint vlan2 upstream  ratelimit 0  threshold 1
        altnet 172.0.0.0/8

phyint vlan100 downstream  ratelimit 0  threshold 1

phyint enp2s0f0 disabled
phyint lo disabled
phyint ppp0 disabled
phyint vlan6 disabled
)";

// The INI of issue 3.
constexpr std::string_view kIssueIni = R"([global]
quickleave = yes
[upstream vlan2]
altnet = 172.0.0.0/8
[downstream vlan100]
[disabled]
interfaces = enp2s0f0 lo ppp0 vlan6
)";

// Minimal valid heads to which a failing line is appended.
constexpr std::string_view kIniHead = "[upstream up]\n[downstream down]\n";
constexpr std::string_view kLegacyHead = "phyint up upstream\nphyint down downstream\n";

}  // namespace

TEST_CASE("config: the seed's igmpproxy.conf and the issue's INI are the same Config") {
    auto a = parse_config_text(kSeedLegacy, "/etc/triplay/igmpproxyd.conf");  // Auto
    auto b = parse_config_text(kIssueIni, "/etc/triplay/igmpproxyd.conf");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
    CHECK(a->warnings.empty());
    CHECK(a->quickleave);
    CHECK(a->upstream.name == "vlan2");
    CHECK(a->upstream.altnet == std::vector<Prefix4>{pfx("172.0.0.0/8")});
    CHECK(a->upstream.threshold == 1);
    CHECK(a->upstream.ratelimit == 0);
    REQUIRE(a->downstreams.size() == 1);
    CHECK(a->downstreams[0].name == "vlan100");
    CHECK(a->disabled == std::vector<std::string>{"enp2s0f0", "lo", "ppp0", "vlan6"});
    CHECK(a->role_of("vlan2") == Role::Upstream);
    CHECK(a->role_of("vlan100") == Role::Downstream);
    CHECK(a->role_of("ppp0") == Role::Disabled);
    CHECK(a->role_of("vlan3") == Role::Disabled);  // not named: left alone
}

TEST_CASE("config: defaults") {
    auto c = ini(kIniHead);
    REQUIRE(c);
    CHECK_FALSE(c->quickleave);
    CHECK(c->upstream_version == UpstreamVersion::Auto);
    CHECK(c->upstream_refresh_mode == RefreshMode::Auto);
    CHECK(c->upstream_refresh == seconds(60));
    CHECK(c->robustness == 2);
    CHECK(c->query_interval == seconds(125));
    CHECK(c->query_response_interval == seconds(10));
    CHECK(c->last_member_interval == seconds(1));
    CHECK(c->last_member_count == 2);
    CHECK(c->startup_query_interval == seconds(31));  // 125 / 4, RFC 3376 §8.6
    CHECK(c->startup_query_count == 2);
    CHECK(c->max_groups == 1024);
    CHECK_FALSE(c->fix_sysctl);
    CHECK(c->state_file == "/run/triplay/igmpproxyd.json");
    CHECK(c->user == "triplay");
    CHECK(c->groups == GroupFilter{});
    CHECK(c->unlisted == Role::Disabled);
    CHECK(c->upstream.route_check);
    CHECK(c->upstream.altnet.empty());
    CHECK(c->downstreams.at(0).querier);
    CHECK(c->downstreams.at(0).threshold == 1);
}

TEST_CASE("config: every INI key") {
    auto c = ini(R"([global]
quickleave = yes
upstream-version = 2
upstream-refresh = 90
robustness = 3
query-interval = 60
query-response-interval = 2.5
last-member-interval = 0.5
last-member-count = 4
startup-query-interval = 7
startup-query-count = 5
max-groups = 64
fix-sysctl = on
state-file =
user = nobody
whitelist = 239.0.0.0/8, 232.0.0.0/8
blacklist = 239.255.255.250
unlisted-interfaces = downstream
[upstream vlan2]
altnet = 172.0.0.0/8 10.0.0.0/8
altnet = 0.0.0.0/0
route-check = no
whitelist = 239.0.0.0/16
blacklist = 239.0.5.0/24
ratelimit = 1000
threshold = 5
[downstream vlan100]
querier = no
whitelist = 239.0.2.0/24
ratelimit = 20000
threshold = 2
[downstream vlan101]
[disabled]
interfaces = lo, ppp0
interfaces = vlan6
)");
    REQUIRE(c);
    CHECK(c->quickleave);
    CHECK(c->upstream_version == UpstreamVersion::V2);
    CHECK(c->upstream_refresh_mode == RefreshMode::Fixed);
    CHECK(c->upstream_refresh == seconds(90));
    CHECK(c->robustness == 3);
    CHECK(c->query_interval == seconds(60));
    CHECK(c->query_response_interval == Deciseconds(25));
    CHECK(c->last_member_interval == Deciseconds(5));
    CHECK(c->last_member_count == 4);
    CHECK(c->startup_query_interval == seconds(7));
    CHECK(c->startup_query_count == 5);
    CHECK(c->max_groups == 64);
    CHECK(c->fix_sysctl);
    CHECK(c->state_file.empty());
    CHECK(c->user == "nobody");
    CHECK(c->groups.whitelist == std::vector{pfx("239.0.0.0/8"), pfx("232.0.0.0/8")});
    CHECK(c->groups.blacklist == std::vector{pfx("239.255.255.250/32")});
    CHECK(c->unlisted == Role::Downstream);
    CHECK(c->upstream.altnet ==
          std::vector{pfx("172.0.0.0/8"), pfx("10.0.0.0/8"), pfx("0.0.0.0/0")});
    CHECK_FALSE(c->upstream.route_check);
    CHECK(c->upstream.groups.whitelist == std::vector{pfx("239.0.0.0/16")});
    CHECK(c->upstream.groups.blacklist == std::vector{pfx("239.0.5.0/24")});
    CHECK(c->upstream.ratelimit == 1000);
    CHECK(c->upstream.threshold == 5);
    REQUIRE(c->downstreams.size() == 2);
    const auto& d = c->downstreams[0];
    CHECK_FALSE(d.querier);
    CHECK(d.groups.whitelist == std::vector{pfx("239.0.2.0/24")});
    CHECK(d.ratelimit == 20000);
    CHECK(d.threshold == 2);
    CHECK(c->downstreams[1].name == "vlan101");
    CHECK(c->disabled == std::vector<std::string>{"lo", "ppp0", "vlan6"});
    CHECK(c->role_of("eth7") == Role::Downstream);
    CHECK(c->find_downstream("vlan101") == &c->downstreams[1]);
    CHECK(c->find_downstream("vlan2") == nullptr);
}

TEST_CASE("config: value forms") {
    auto head = std::string(kIniHead);
    auto global = [&](std::string_view kv) {
        return ini("[global]\n" + std::string(kv) + "\n" + head);
    };
    CHECK(global("upstream-refresh = off")->upstream_refresh_mode == RefreshMode::Off);
    CHECK(global("upstream-refresh = auto")->upstream_refresh_mode == RefreshMode::Auto);
    CHECK(global("upstream-refresh = 10")->upstream_refresh == seconds(10));
    CHECK(global("upstream-version = 3")->upstream_version == UpstreamVersion::V3);
    CHECK(global("upstream-version = auto")->upstream_version == UpstreamVersion::Auto);
    CHECK(global("query-response-interval = 0.1")->query_response_interval == Deciseconds(1));
    CHECK(global("query-response-interval = 25.5")->query_response_interval == Deciseconds(255));
    CHECK(global("last-member-interval = 2.0")->last_member_interval == seconds(2));
    // Derived defaults follow what they derive from.
    auto c = global("robustness = 4\nquery-interval = 20");
    REQUIRE(c);
    CHECK(c->startup_query_interval == seconds(5));
    CHECK(c->startup_query_count == 4);
    CHECK(c->last_member_count == 4);
    CHECK(global("query-interval = 2\nquery-response-interval = 1")->startup_query_interval ==
          seconds(1));
    CHECK(global("unlisted-interfaces = disabled")->unlisted == Role::Disabled);
    // No downstream is fine when unlisted interfaces are downstream.
    CHECK(ini("[global]\nunlisted-interfaces = downstream\n[upstream a]\n"));
}

TEST_CASE("config: the classic format, every keyword") {
    auto c = legacy(R"(# comment line
quickleave   # trailing comment
user igmp
hashtablesize
  4096
rescanvif
chroot /var/empty
phyint
  eth0
  upstream ratelimit
  100 threshold 3 altnet 10.0.0.0/8 altnet 192.168.0.0/24
  whitelist 239.0.0.0/8 blacklist 239.1.0.0/16
phyint eth1 downstream whitelist 239.0.2.0/24#comment glued to a word
phyint eth2 threshold 2 downstream
phyint eth0:0 disabled
defaultdown
)");
    REQUIRE(c);
    CHECK(c->quickleave);
    CHECK(c->user == "igmp");
    CHECK(c->unlisted == Role::Downstream);
    CHECK(c->upstream.name == "eth0");
    CHECK(c->upstream.ratelimit == 100);
    CHECK(c->upstream.threshold == 3);
    CHECK(c->upstream.altnet == std::vector{pfx("10.0.0.0/8"), pfx("192.168.0.0/24")});
    CHECK(c->upstream.groups.whitelist == std::vector{pfx("239.0.0.0/8")});
    CHECK(c->upstream.groups.blacklist == std::vector{pfx("239.1.0.0/16")});
    REQUIRE(c->downstreams.size() == 2);
    CHECK(c->downstreams[0].groups.whitelist == std::vector{pfx("239.0.2.0/24")});
    CHECK(c->downstreams[1].name == "eth2");
    CHECK(c->downstreams[1].threshold == 2);
    CHECK(c->disabled.empty());  // eth0:0 is a label: no effect
    // hashtablesize and chroot do nothing here, eth0:0 is a label: each is said.
    REQUIRE(c->warnings.size() == 3);
    CHECK(c->warnings[0].first == 4);
    CHECK_THAT(c->warnings[0].second, Catch::Contains("hashtablesize has no effect"));
    CHECK(c->warnings[1].first == 7);
    CHECK_THAT(c->warnings[1].second, Catch::Contains("chroot is ignored"));
    CHECK(c->warnings[2].first == 15);
    CHECK_THAT(format_warnings(*c, "x.conf"),
               Catch::Contains("x.conf:15: warning: phyint eth0:0: an address label"));
}

TEST_CASE("config: classic roles, defaults and what has no effect") {
    // A phyint without a role is disabled, or downstream after defaultdown (igmpproxy).
    auto c = legacy("phyint a upstream\nphyint b ratelimit 0\ndefaultdown\nphyint c\n");
    REQUIRE(c);
    CHECK(c->disabled == std::vector<std::string>{"b"});
    CHECK(c->downstreams.at(0).name == "c");
    REQUIRE(c->warnings.size() == 3);
    CHECK(c->warnings[0] == std::pair<int, std::string>{2, "phyint b has no role (upstream, "
                                                           "downstream or disabled); it is "
                                                           "disabled, as in igmpproxy"});
    CHECK(c->warnings[1].first == 2);  // ratelimit on a disabled interface
    CHECK(c->warnings[2].first == 4);
    // defaultdown alone makes unlisted interfaces downstream: no downstream phyint needed.
    auto d = legacy("defaultdown\nphyint a upstream\n");
    REQUIRE(d);
    CHECK(d->role_of("eth9") == Role::Downstream);
    // Downstream altnet: igmpproxy checked report senders against it; igmpproxyd takes any.
    auto e = legacy("phyint a upstream\nphyint b downstream\n altnet 10.0.0.0/8\n");
    REQUIRE(e);
    CHECK(e->warnings.at(0).first == 3);
    // An altnet with host bits: igmpproxy masked it, so it is read masked, with a warning.
    auto f = legacy("phyint a upstream altnet 172.26.1.1/16\nphyint b downstream\n");
    REQUIRE(f);
    CHECK(f->upstream.altnet == std::vector{pfx("172.26.0.0/16")});
    CHECK_THAT(f->warnings.at(0).second, Catch::Contains("read as 172.26.0.0/16"));
    // Whitelist before an overlapping blacklist: the same as the two lists.
    CHECK(legacy("phyint a upstream\nphyint b downstream whitelist 239.0.0.0/8 blacklist "
                 "239.1.0.0/16\n"));
    // Same role twice is harmless.
    CHECK(legacy("phyint a upstream upstream\nphyint b downstream\n"));
}

TEST_CASE("config: format detection") {
    CHECK(detect_format(kSeedLegacy, "x.conf") == Format::Legacy);
    CHECK(detect_format(kIssueIni, "x.conf") == Format::Ini);
    CHECK(detect_format("\xEF\xBB\xBF# c\n\n  # d\n\tphyint a upstream", "x") == Format::Legacy);
    CHECK(detect_format("defaultdown\n", "x") == Format::Legacy);
    CHECK(detect_format("", "x") == Format::Ini);
    CHECK(detect_format("# only a comment", "x") == Format::Ini);
    CHECK(detect_format("; c\n[global]\n", "x") == Format::Ini);
    CHECK(detect_format("quickleave = yes\n", "x") == Format::Ini);
    CHECK(detect_format("quickleave=yes\n", "x") == Format::Ini);
    CHECK(detect_format("phyintx a\n", "x") == Format::Ini);
    CHECK(detect_format("", "/etc/igmpproxy.conf") == Format::Legacy);
    CHECK(detect_format("# old\nmystery\n", "/etc/igmpproxy.conf") == Format::Legacy);
    CHECK(detect_format("# new\n[global]\n", "/etc/igmpproxy.conf") == Format::Ini);
    CHECK(detect_format("mystery\n", "/etc/my-igmpproxy.conf") == Format::Ini);
    // Forced formats win over detection.
    CHECK_FALSE(parse_config_text(kSeedLegacy, "x", Format::Ini));
    CHECK_FALSE(parse_config_text(kIssueIni, "x", Format::Legacy));
}

TEST_CASE("config: load_config reads files and names them in errors") {
    char dir_template[] = "/tmp/igmpcfg-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    std::string dir = dir_template;
    std::ofstream(dir + "/igmpproxy.conf") << kSeedLegacy;
    std::ofstream(dir + "/igmpproxyd.conf") << kIssueIni;
    std::ofstream(dir + "/bad.conf") << "[global]\nquickleave = perhaps\n";
    auto a = load_config(dir + "/igmpproxy.conf");
    auto b = load_config(dir + "/igmpproxyd.conf");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
    CHECK(load_config(dir + "/igmpproxyd.conf", Format::Ini));
    auto bad = load_config(dir + "/bad.conf");
    REQUIRE_FALSE(bad);
    CHECK_THAT(errors(bad), Catch::Contains(dir + "/bad.conf:2: quickleave = perhaps"));
    auto missing = load_config(dir + "/none.conf");
    REQUIRE_FALSE(missing);
    CHECK_THAT(errors(missing), Catch::Contains("none.conf: cannot open"));
    for (auto f : {"/igmpproxy.conf", "/igmpproxyd.conf", "/bad.conf"})
        std::remove((dir + f).c_str());
    rmdir(dir.c_str());
}

TEST_CASE("config: every INI problem at file:line") {
    struct Row {
        std::string text;
        std::string want;
    };
    std::string h(kIniHead);
    std::vector<Row> rows = {
        {"[global]\nbogus = 1\n" + h, "test.conf:2: unknown key 'bogus' in [global]"},
        {h + "[upstream x]\n", "test.conf:3: [upstream x]: a second upstream interface (up is "
                               "the upstream at line 1); a proxy has exactly one"},
        {"[upstream up]\nratelimt = 0\n[downstream down]\n",
         "test.conf:2: unknown key 'ratelimt' in [upstream up]"},
        {h + "querier = maybe\n", "test.conf:3: querier = maybe: expected yes or no"},
        {h + "altnet = 10.0.0.0/8\n",
         "test.conf:3: altnet belongs in [upstream NAME], not in [downstream down]"},
        {h + "color = blue\n", "test.conf:3: unknown key 'color' in [downstream down]"},
        {h + "[disabled]\nifaces = lo\n", "test.conf:4: unknown key 'ifaces' in [disabled]"},
        {h + "[routers]\n", "test.conf:3: unknown section [routers]"},
        {h + "[global x]\n", "test.conf:3: [global x]: [global] takes no interface name"},
        {h + "[disabled lo]\n", "test.conf:3: [disabled lo]: [disabled] takes no interface"},
        {"[upstream]\n[downstream d]\n", "test.conf:1: [upstream]: expected [upstream NAME]"},
        {"[upstream u]\n[downstream]\n", "test.conf:2: [downstream]: expected [downstream NAME]"},
        {"[upstream up]\n", "test.conf: no [downstream NAME] section"},
        {"[downstream d]\n", "test.conf: no [upstream NAME] section"},
        {"[global]\n", "test.conf: no [upstream NAME] section"},
        {"", "test.conf: no [downstream NAME] section"},
        {h + "[downstream up]\n",
         "test.conf:3: [downstream up]: interface up is already configured at line 1"},
        {h + "[disabled]\ninterfaces = lo down\n",
         "test.conf:4: [disabled] interfaces: interface down is already configured at line 2"},
        {h + "[disabled]\ninterfaces = lo\ninterfaces = lo\n",
         "test.conf:5: [disabled] interfaces: interface lo is already configured at line 4"},
        {"[upstream abcdefghijklmnop]\n[downstream d]\n",
         "test.conf:1: [upstream abcdefghijklmnop]: interface name 'abcdefghijklmnop' is "
         "longer than 15 characters"},
        {h + "[disabled]\ninterfaces = abcdefghijklmnop\n",
         "test.conf:4: [disabled] interfaces: interface name 'abcdefghijklmnop' is longer"},
        {"[upstream a/b]\n[downstream d]\n", "test.conf:1: [upstream a/b]: 'a/b' is not a valid "
                                             "interface name"},
        {"[upstream a b]\n[downstream d]\n", "test.conf:1: [upstream a b]: 'a b' is not a valid"},
        {"[upstream ..]\n[downstream d]\n", "test.conf:1: [upstream ..]: '..' is not a valid"},
        {"[upstream eth0:0]\n[downstream d]\n",
         "test.conf:1: [upstream eth0:0]: 'eth0:0' is an address label, not an interface; "
         "igmpproxyd works per interface (use 'eth0')"},
        {"[upstream up]\naltnet = 172.26.1.0/16\n[downstream d]\n",
         "test.conf:2: altnet = 172.26.1.0/16: '172.26.1.0/16' has host bits set (did you mean "
         "172.26.0.0/16?)"},
        {"[upstream up]\naltnet = 172.26.0.0/33\n[downstream d]\n",
         "test.conf:2: altnet = 172.26.0.0/33: '172.26.0.0/33' is not a prefix like "
         "172.26.0.0/16"},
        {"[upstream up]\naltnet = 239.0.0.0/8\n[downstream d]\n",
         "test.conf:2: altnet = 239.0.0.0/8: '239.0.0.0/8' is a multicast or reserved prefix"},
        {"[upstream up]\naltnet = 10.0.0.0/8 junk\n[downstream d]\n",
         "test.conf:2: altnet = 10.0.0.0/8 junk: 'junk' is not a prefix"},
        {"[upstream up]\nroute-check = 2\n[downstream d]\n",
         "test.conf:2: route-check = 2: expected yes or no"},
        {"[upstream up]\nthreshold = 0\n[downstream d]\n",
         "test.conf:2: threshold = 0: expected a whole number from 1 to 255"},
        {"[upstream up]\nthreshold = 256\n[downstream d]\n",
         "test.conf:2: threshold = 256: expected a whole number from 1 to 255"},
        {"[upstream up]\nratelimit = -1\n[downstream d]\n",
         "test.conf:2: ratelimit = -1: expected a whole number from 0 to 4294967295"},
        {h + "ratelimit = 4294967296\n", "test.conf:3: ratelimit = 4294967296: expected"},
        {"[global]\nwhitelist = 10.0.0.0/8\n" + h,
         "test.conf:2: whitelist = 10.0.0.0/8: '10.0.0.0/8' is not a multicast group prefix"},
        {"[global]\nblacklist = 0.0.0.0/0\n" + h,
         "test.conf:2: blacklist = 0.0.0.0/0: '0.0.0.0/0' is not a multicast group prefix"},
        {"[global]\nwhitelist = 224.0.0.0/3\n" + h, "is not a multicast group prefix"},
        {"[global]\nwhitelist = 239.1.2.3/8\n" + h,
         "test.conf:2: whitelist = 239.1.2.3/8: '239.1.2.3/8' has host bits set (did you mean "
         "239.0.0.0/8?)"},
        {"[global]\nwhitelist = 224.0.0.251\n" + h,
         "test.conf:2: whitelist = 224.0.0.251: '224.0.0.251' is inside 224.0.0.0/24, the "
         "link-local groups that are never proxied (RFC 5771 §4)"},
        {h + "whitelist = 224.0.0.0/24\n", "test.conf:3: whitelist = 224.0.0.0/24: "
                                           "'224.0.0.0/24' is inside 224.0.0.0/24"},
        {"[upstream up]\nwhitelist = 224.0.0.128/25\n[downstream d]\n",
         "test.conf:2: whitelist = 224.0.0.128/25: '224.0.0.128/25' is inside"},
        {"[global]\nquickleave = sometimes\n" + h,
         "test.conf:2: quickleave = sometimes: expected yes or no"},
        {"[global]\nfix-sysctl = y\n" + h, "test.conf:2: fix-sysctl = y: expected yes or no"},
        {"[global]\nupstream-version = 1\n" + h,
         "test.conf:2: upstream-version = 1: expected auto, 2 or 3"},
        {"[global]\nupstream-refresh = 9\n" + h,
         "test.conf:2: upstream-refresh = 9: expected auto, off or seconds from 10 to 3600"},
        {"[global]\nupstream-refresh = 3601\n" + h, "test.conf:2: upstream-refresh = 3601"},
        {"[global]\nupstream-refresh = 60s\n" + h, "test.conf:2: upstream-refresh = 60s"},
        {"[global]\nrobustness = 0\n" + h,
         "test.conf:2: robustness = 0: expected a whole number from 1 to 7"},
        {"[global]\nrobustness = 8\n" + h, "test.conf:2: robustness = 8"},
        {"[global]\nquery-interval = 0\n" + h,
         "test.conf:2: query-interval = 0: expected seconds from 1 to 31744"},
        {"[global]\nquery-interval = 31745\n" + h, "test.conf:2: query-interval = 31745"},
        {"[global]\nquery-response-interval = 0\n" + h,
         "test.conf:2: query-response-interval = 0: expected seconds from 0.1 to 25.5, with one "
         "decimal at most"},
        {"[global]\nquery-response-interval = 25.6\n" + h, "test.conf:2: query-response-"},
        {"[global]\nquery-response-interval = 1.25\n" + h, "test.conf:2: query-response-"},
        {"[global]\nquery-response-interval = .5\n" + h, "test.conf:2: query-response-"},
        {"[global]\nquery-response-interval = 5.\n" + h, "test.conf:2: query-response-"},
        {"[global]\nlast-member-interval = 0.0\n" + h,
         "test.conf:2: last-member-interval = 0.0: expected seconds from 0.1"},
        {"[global]\nlast-member-interval = x\n" + h, "test.conf:2: last-member-interval = x"},
        {"[global]\nlast-member-count = 0\n" + h, "test.conf:2: last-member-count = 0"},
        {"[global]\nstartup-query-interval = 0\n" + h, "test.conf:2: startup-query-interval = 0"},
        {"[global]\nstartup-query-count = 8\n" + h, "test.conf:2: startup-query-count = 8"},
        {"[global]\nmax-groups = 0\n" + h,
         "test.conf:2: max-groups = 0: expected a whole number from 1 to 100000"},
        {"[global]\nunlisted-interfaces = upstream\n" + h,
         "test.conf:2: unlisted-interfaces = upstream: expected disabled or downstream"},
        {"[global]\nquery-interval = 10\nquery-response-interval = 10\n" + h,
         "test.conf:3: query-response-interval must be shorter than query-interval (RFC 3376 "
         "§8.3)"},
        {"[global]\nquery-interval = 5\n" + h,
         "test.conf:2: query-response-interval must be shorter than query-interval"},
        {"[global]\nrobustness = 3\nrobustness = 4\n" + h,
         "test.conf:3: robustness given twice in [global] (first at line 2)"},
        {"[upstream up]\nthreshold = 2\nthreshold = 3\n[downstream d]\n",
         "test.conf:3: threshold given twice in [upstream up] (first at line 2)"},
        {"orphan = 1\n" + h, "test.conf:1: 'orphan' outside any section"},
        {h + "[upstream up]\n", "test.conf:3: duplicate section [upstream up]"},
        {h + "this is not ini\n", "test.conf:3: syntax error"},
        {h + "key = " + std::string(5000, 'x') + "\n", "test.conf:3: line too long"},
        {h + "[routers\x01]\n", "test.conf:3: unknown section [routers\\x01]"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto c = ini(row.text);
        REQUIRE_FALSE(c);
        CHECK_THAT(errors(c), Catch::Contains(row.want));
    }
}

TEST_CASE("config: every classic-format problem at file:line") {
    struct Row {
        std::string text;
        std::string want;
    };
    std::string h(kLegacyHead);
    std::vector<Row> rows = {
        {"quickleve\n" + h, "test.conf:1: unknown keyword 'quickleve' (expected phyint, "
                            "quickleave, defaultdown, rescanvif, hashtablesize, chroot or user)"},
        // After a phyint, a word that is no global keyword is taken as one of its settings.
        {h + "quickleve\n", "test.conf:3: phyint down: unknown word 'quickleve' (expected "
                            "upstream, downstream, disabled, ratelimit, threshold, altnet, "
                            "whitelist or blacklist)"},
        {"altnet 10.0.0.0/8\n" + h, "test.conf:1: 'altnet' must follow 'phyint NAME'"},
        {"phyint\n", "test.conf:1: phyint needs an interface name"},
        {"phyint\nupstream\n" + h, "test.conf:1: phyint needs an interface name"},
        {"phyint up upstream ratelimt 0 threshold 1\nphyint down downstream\n",
         "test.conf:1: phyint up: unknown word 'ratelimt' (expected upstream, downstream, "
         "disabled, ratelimit, threshold, altnet, whitelist or blacklist)"},
        {"phyint up upstream\n  ratelimit\nphyint down downstream\n",
         "test.conf:2: phyint up: ratelimit needs a number"},
        {"phyint up upstream ratelimit threshold 2\nphyint down downstream\n",
         "test.conf:1: phyint up: ratelimit needs a number"},
        {"phyint up upstream\nratelimit\n-1\nphyint down downstream\n",
         "test.conf:3: phyint up: ratelimit -1: expected a whole number from 0 to 4294967295"},
        {"phyint up upstream threshold 0\nphyint down downstream\n",
         "test.conf:1: phyint up: threshold 0: expected a whole number from 1 to 255"},
        {"phyint up upstream threshold\n\n 300\nphyint down downstream\n",
         "test.conf:3: phyint up: threshold 300"},
        {"phyint up upstream threshold 1x\nphyint down downstream\n",
         "test.conf:1: phyint up: threshold 1x"},
        {"phyint up upstream altnet\n", "test.conf:1: phyint up: altnet needs a source prefix"},
        {"phyint up upstream altnet 10.0.0/8\nphyint down downstream\n",
         "test.conf:1: phyint up: altnet: '10.0.0/8' is not a prefix like 172.26.0.0/16"},
        {"phyint up upstream altnet 224.0.0.0/4\nphyint down downstream\n",
         "test.conf:1: phyint up: altnet: '224.0.0.0/4' is a multicast or reserved prefix"},
        {h + "phyint x disabled whitelist\n",
         "test.conf:3: phyint x: whitelist needs a group prefix"},
        {"phyint up upstream whitelist 10.0.0.0/8\nphyint down downstream\n",
         "test.conf:1: phyint up: whitelist: '10.0.0.0/8' is not a multicast group prefix"},
        {"phyint up upstream\nphyint down downstream\n  whitelist 239.0.2.1/24\n",
         "test.conf:3: phyint down: whitelist: '239.0.2.1/24' has host bits set (did you mean "
         "239.0.2.0/24?)"},
        {"phyint up upstream\nphyint down downstream whitelist 224.0.0.22\n",
         "test.conf:2: phyint down: whitelist: '224.0.0.22' is inside 224.0.0.0/24"},
        {"phyint up upstream\nphyint down downstream blacklist 10.1.1.1\n",
         "test.conf:2: phyint down: blacklist: '10.1.1.1' is not a multicast group prefix"},
        {"phyint up upstream\nphyint down downstream\n blacklist 239.1.0.0/16\n whitelist "
         "239.1.2.0/24\n",
         "test.conf:4: phyint down: whitelist 239.1.2.0/24 after blacklist 239.1.0.0/16 (line "
         "3): igmpproxyd's blacklist always wins"},
        {"phyint up upstream downstream\nphyint down downstream\n",
         "test.conf:1: phyint up: both upstream and downstream"},
        {h + "phyint x upstream\n", "test.conf:3: phyint x: a second upstream interface (up is "
                                    "the upstream at line 1); a proxy has exactly one (RFC 4605 "
                                    "§1)"},
        {h + "phyint up disabled\n",
         "test.conf:3: phyint up: interface up is already configured at line 1"},
        {h + "phyint abcdefghijklmnop disabled\n",
         "test.conf:3: phyint abcdefghijklmnop: interface name 'abcdefghijklmnop' is longer than "
         "15 characters"},
        {"phyint eth0:1 upstream\nphyint down downstream\n",
         "test.conf:1: phyint eth0:1: 'eth0:1' is an address label, not an interface"},
        {h + "phyint a/b disabled\n", "test.conf:3: phyint a/b: 'a/b' is not a valid interface"},
        {"phyint down downstream\n", "test.conf: no upstream interface: add 'phyint NAME "
                                     "upstream'"},
        {"phyint up upstream\n", "test.conf: no downstream interface: add 'phyint NAME "
                                 "downstream' (or 'defaultdown')"},
        {"phyint up upstream\nphyint b\n", "test.conf: no downstream interface"},
        {"", "test.conf: no upstream interface"},
        {"# nothing but a comment\n", "test.conf: no upstream interface"},
        {h + "hashtablesize 0\n",
         "test.conf:3: hashtablesize 0: expected a whole number from 1 to 536870912"},
        {h + "hashtablesize\n", "test.conf:3: hashtablesize needs a size in bytes"},
        {h + "user\n", "test.conf:3: user needs a user name"},
        {h + "chroot\nphyint x disabled\n", "test.conf:3: chroot needs a directory"},
        {h + "quickleave = yes\n", "test.conf:3: unknown keyword '='"},
        {"bad\x01word\n" + h, "test.conf:1: unknown keyword 'bad\\x01word'"},
        {h + std::string(10000, 'z') + "\n",
         "test.conf:3: phyint down: unknown word '" + std::string(48, 'z') + "...' (expected"},
    };
    // A NUL inside a std::string literal needs its length spelled out.
    rows.push_back({h + std::string("x\0y\n", 4), "test.conf:3: NUL byte in line"});
    for (const auto& row : rows) {
        INFO(row.text);
        auto c = legacy(row.text);
        REQUIRE_FALSE(c);
        CHECK_THAT(errors(c), Catch::Contains(row.want));
    }
}

TEST_CASE("config: all problems reported at once") {
    auto c = ini("[global]\nrobustness = x\nmax-groups = y\n[upstream u]\nthreshold = z\n");
    REQUIRE_FALSE(c);
    CHECK(c.error().size() == 4);  // three values and no downstream
    auto l = legacy("phyint u upstream threshold 0 altnet x\nphyint d downstream ratelimit y\n"
                    "bogus\n");
    REQUIRE_FALSE(l);
    CHECK(l.error().size() == 4);
    // An unknown word is reported once, not once per word after it.
    auto m = legacy("phyint u upstream ratelimt 0 1 2 3\nphyint d downstream\n");
    REQUIRE_FALSE(m);
    CHECK(m.error().size() == 1);
}

TEST_CASE("config: group filters") {
    GroupFilter any;
    CHECK(any.allows(*Ipv4::parse("239.0.2.30")));
    CHECK_FALSE(any.allows(*Ipv4::parse("224.0.0.22")));  // link-local, never
    CHECK_FALSE(any.allows(*Ipv4::parse("224.0.0.255")));
    CHECK(any.allows(*Ipv4::parse("224.0.1.1")));
    CHECK_FALSE(any.allows(*Ipv4::parse("10.0.0.1")));
    GroupFilter f{{pfx("239.0.0.0/8")}, {pfx("239.255.255.250")}};
    CHECK(f.allows(*Ipv4::parse("239.0.2.30")));
    CHECK_FALSE(f.allows(*Ipv4::parse("239.255.255.250")));
    CHECK_FALSE(f.allows(*Ipv4::parse("232.1.1.1")));
    GroupFilter black{{}, {pfx("239.255.0.0/16")}};
    CHECK(black.allows(*Ipv4::parse("232.1.1.1")));
    CHECK_FALSE(black.allows(*Ipv4::parse("239.255.1.1")));
}

TEST_CASE("config: nonsense bytes and huge input are errors, not crashes") {
    std::mt19937 rng(4605);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<size_t> length(0, 600);
    for (int round = 0; round < 2000; ++round) {
        std::string junk(length(rng), '\0');
        for (auto& ch : junk) ch = static_cast<char>(byte(rng));
        auto a = parse_config_text(junk, "junk", Format::Ini);
        auto b = parse_config_text(junk, "junk", Format::Legacy);
        CHECK_FALSE(a);
        CHECK_FALSE(b);
        (void)detect_format(junk, "junk");
    }
    // Mutations of valid files: flip, insert and delete bytes; every outcome is a value.
    const std::string words = " \n#=[]/.:0123456789phyint upstream downstream altnet";
    for (int round = 0; round < 2000; ++round) {
        std::string text(round % 2 ? kSeedLegacy : kIssueIni);
        for (int k = 0; k < 4; ++k) {
            size_t at = std::uniform_int_distribution<size_t>(0, text.size() - 1)(rng);
            char ch = words[std::uniform_int_distribution<size_t>(0, words.size() - 1)(rng)];
            switch (byte(rng) % 3) {
                case 0: text[at] = ch; break;
                case 1: text.insert(at, 1, ch); break;
                default: text.erase(at, 1); break;
            }
        }
        auto c = parse_config_text(text, "mut");
        if (c) CHECK_FALSE(c->upstream.name.empty());
    }
    std::string huge(2 << 20, 'a');
    CHECK_THAT(errors(legacy(huge)), Catch::Contains("file larger than"));
    std::string many;
    for (int i = 0; i < 20000; ++i) many += "phyint " + std::to_string(i) + "/ disabled\n";
    auto m = legacy(many);
    REQUIRE_FALSE(m);
    CHECK(m.error().size() == 101);  // capped
    CHECK_THAT(errors(m), Catch::Contains("too many problems"));
    std::string word = "phyint up upstream\nphyint down downstream\n" + std::string(900000, 'q');
    CHECK_THAT(errors(legacy(word)), Catch::Contains("unknown word 'qqqq"));
}
