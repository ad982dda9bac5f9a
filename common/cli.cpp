// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#ifndef TRIPLAY_VERSION
#define TRIPLAY_VERSION "unknown"
#endif

namespace triplay {

std::string default_config_path(const std::string& binary) {
    return "/etc/triplay/" + binary + ".conf";
}

std::variant<CommonOptions, int> parse_cli(const CliSpec& spec, int argc, char** argv) {
    CommonOptions o;
    o.config = default_config_path(spec.binary);
    CLI::App app(spec.description, spec.binary);
    app.add_option("-c,--config", o.config, "configuration file")->capture_default_str();
    app.add_flag("-f,--foreground", o.foreground, "stay in the foreground, log to stderr");
    app.add_flag("-v,--verbose", o.verbosity, "more log output (repeat for debug)");
    app.add_flag("-n,--check-config", o.check_config,
                 "check the configuration, print file:line: problem, exit 0 or 78");
    app.set_version_flag("--version", fmt::format("{} (triplay) {}", spec.binary, TRIPLAY_VERSION));
    if (spec.extra_options) spec.extra_options(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        // CLI11 returns 0 for --help/--version and its own codes for errors: use sysexits.
        return rc == 0 ? 0 : EX_USAGE;
    }
    return o;
}

}  // namespace triplay
