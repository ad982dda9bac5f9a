// SPDX-License-Identifier: GPL-2.0-or-later
// The command line every daemon shares: -c FILE, -f, -v (repeatable), -n, --version, -h.
#pragma once

#include <sysexits.h>

#include <functional>
#include <string>
#include <variant>

namespace CLI {
class App;
}

namespace triplay {

struct CommonOptions {
    std::string config;         // -c, defaults to /etc/triplay/<binary>.conf
    bool foreground = false;    // -f: stay attached, log to stderr
    int verbosity = 0;          // -v count
    bool check_config = false;  // -n: validate the config and exit 0 or EX_CONFIG
};

struct CliSpec {
    std::string binary;       // "ripd-passive"
    std::string description;  // one line for -h
    // Adds a daemon's own options (e.g. udpxy compatibility flags); may be empty.
    std::function<void(CLI::App&)> extra_options;
};

// Parses argv. Returns the options, or the exit code when the program should exit right away
// (after --help, --version, or a usage error which has been printed).
std::variant<CommonOptions, int> parse_cli(const CliSpec& spec, int argc, char** argv);

std::string default_config_path(const std::string& binary);

}  // namespace triplay
