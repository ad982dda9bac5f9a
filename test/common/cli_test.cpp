// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace triplay;

namespace {

// parse_cli with argv built from strings; --help/--version/usage text goes to /dev/null.
std::variant<CommonOptions, int> run(std::vector<std::string> args, const CliSpec& spec) {
    args.insert(args.begin(), spec.binary);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    fflush(stdout);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    auto r = parse_cli(spec, static_cast<int>(args.size()), argv.data());
    fflush(stdout);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    close(null_fd);
    return r;
}

const CliSpec kSpec{"ripd-passive", "passive RIPv2 listener", {}};

}  // namespace

TEST_CASE("parse_cli defaults", "[cli]") {
    auto r = run({}, kSpec);
    REQUIRE(std::holds_alternative<CommonOptions>(r));
    const auto& o = std::get<CommonOptions>(r);
    CHECK(o.config == "/etc/triplay/ripd-passive.conf");
    CHECK_FALSE(o.foreground);
    CHECK(o.verbosity == 0);
    CHECK_FALSE(o.check_config);
}

TEST_CASE("parse_cli reads -c, -f, repeated -v and -n", "[cli]") {
    auto r = run({"-c", "/tmp/x.conf", "-f", "-v", "-vv", "-n"}, kSpec);
    REQUIRE(std::holds_alternative<CommonOptions>(r));
    const auto& o = std::get<CommonOptions>(r);
    CHECK(o.config == "/tmp/x.conf");
    CHECK(o.foreground);
    CHECK(o.verbosity == 3);
    CHECK(o.check_config);

    auto l = run({"--config=/a.conf", "--foreground", "--verbose", "--check-config"}, kSpec);
    REQUIRE(std::holds_alternative<CommonOptions>(l));
    CHECK(std::get<CommonOptions>(l).config == "/a.conf");
    CHECK(std::get<CommonOptions>(l).verbosity == 1);
}

TEST_CASE("parse_cli: --help and --version exit 0, bad usage exits 64", "[cli]") {
    CHECK(std::get<int>(run({"--help"}, kSpec)) == 0);
    CHECK(std::get<int>(run({"-h"}, kSpec)) == 0);
    CHECK(std::get<int>(run({"--version"}, kSpec)) == 0);
    CHECK(std::get<int>(run({"--no-such-flag"}, kSpec)) == EX_USAGE);
    CHECK(std::get<int>(run({"-c"}, kSpec)) == EX_USAGE);  // missing argument
    CHECK(std::get<int>(run({"stray"}, kSpec)) == EX_USAGE);
}

TEST_CASE("parse_cli passes the daemon's own options through", "[cli]") {
    int port = 0;
    CliSpec spec{"udprelay", "relay", [&](CLI::App& app) { app.add_option("-p", port); }};
    auto r = run({"-p", "4022", "-f"}, spec);
    REQUIRE(std::holds_alternative<CommonOptions>(r));
    CHECK(port == 4022);
    CHECK(std::get<CommonOptions>(r).foreground);
    CHECK(std::get<CommonOptions>(r).config == "/etc/triplay/udprelay.conf");
}
