// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "preflight.h"
#include "sysctl.h"

using namespace igmp;

TEST_CASE("preflight: the seed's trap, rp_filter 1 on all and vlan2") {
    auto f = preflight({1, 1, 1}, "vlan2");
    REQUIRE(f.size() == 1);
    CHECK_THAT(f[0].problem, Catch::Contains("strict on vlan2"));
    CHECK(fix_command(f[0].fixes) ==
          "sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vlan2.rp_filter=0");
}

TEST_CASE("preflight: 'all' alone is enough to break it (the kernel takes the larger)") {
    auto f = preflight({1, 1, 0}, "vlan2");
    REQUIRE(f.size() == 1);
    CHECK(fix_command(f[0].fixes) == "sysctl -w net.ipv4.conf.all.rp_filter=0");
    f = preflight({1, 0, 1}, "vlan2");
    REQUIRE(f.size() == 1);
    CHECK(fix_command(f[0].fixes) == "sysctl -w net.ipv4.conf.vlan2.rp_filter=0");
}

TEST_CASE("preflight: loose mode and off are fine; strict loses to loose") {
    CHECK(preflight({1, 0, 0}, "vlan2").empty());
    CHECK(preflight({1, 2, 0}, "vlan2").empty());
    CHECK(preflight({1, 2, 1}, "vlan2").empty());  // max(2, 1) = 2: loose
    CHECK(preflight({1, std::nullopt, std::nullopt}, "vlan2").empty());
}

TEST_CASE("preflight: ip_forward off is reported with its fix") {
    auto f = preflight({0, 0, 0}, "vlan2");
    REQUIRE(f.size() == 1);
    CHECK(fix_command(f[0].fixes) == "sysctl -w net.ipv4.ip_forward=1");
}

TEST_CASE("sysctl: read and write under a given root") {
    char dir[] = "/tmp/triplay-sysctl-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string root = dir;
    REQUIRE(mkdir((root + "/conf").c_str(), 0755) == 0);
    REQUIRE(mkdir((root + "/conf/vlan2").c_str(), 0755) == 0);
    std::ofstream(root + "/ip_forward") << "1\n";
    std::ofstream(root + "/conf/vlan2/rp_filter") << "1\n";
    CHECK(triplay::sysctl::read_ipv4("ip_forward", root) == 1);
    CHECK(triplay::sysctl::read_conf("vlan2", "rp_filter", root) == 1);
    CHECK_FALSE(triplay::sysctl::read_conf("vlan3", "rp_filter", root));
    CHECK_FALSE(triplay::sysctl::read_conf("../conf/vlan2", "rp_filter", root));
    REQUIRE(triplay::sysctl::write_conf("vlan2", "rp_filter", 0, root));
    CHECK(triplay::sysctl::read_conf("vlan2", "rp_filter", root) == 0);
    CHECK_FALSE(triplay::sysctl::write_conf("..", "rp_filter", 0, root));
    std::ofstream(root + "/junk") << "abc\n";
    CHECK_FALSE(triplay::sysctl::read_ipv4("junk", root));
    unlink((root + "/junk").c_str());
    unlink((root + "/ip_forward").c_str());
    unlink((root + "/conf/vlan2/rp_filter").c_str());
    rmdir((root + "/conf/vlan2").c_str());
    rmdir((root + "/conf").c_str());
    rmdir(dir);
}

TEST_CASE("sysctl: this machine's real values read") {
    // /proc/sys is there on any Linux; a value must parse.
    auto v = triplay::sysctl::read_ipv4("ip_forward");
    REQUIRE(v);
    CHECK((*v == 0 || *v == 1));
}
