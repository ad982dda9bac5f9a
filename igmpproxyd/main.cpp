// SPDX-License-Identifier: GPL-2.0-or-later
// igmpproxyd: the IGMP proxy of RFC 4605 that makes Movistar TV work (replaces igmpproxy).
// Downstream it is the querier and tracks every host; upstream it reports what the LAN wants
// and keeps reporting when the network never asks; the kernel forwards the streams through
// the MFC entries it installs.
#include <signal.h>
#include <sysexits.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>

#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "event_loop.h"
#include "log.h"
#include "preflight.h"
#include "privilege.h"
#include "proxy.h"
#include "sysctl.h"

namespace tlog = triplay::log;

namespace {

int fatal(const triplay::Error& e, std::string_view doing) {
    tlog::error("{}: {}", doing, e.to_string());
    switch (e.errnum) {
        case EPERM: case EACCES: return EX_NOPERM;
        case EADDRINUSE: case ENOPROTOOPT: return EX_UNAVAILABLE;
        default: return EX_OSERR;
    }
}

// The seed's troubleshooting section, run before anything else: rp_filter and ip_forward.
void preflight(const igmp::Config& cfg) {
    namespace sc = triplay::sysctl;
    const std::string& up = cfg.upstream.name;
    igmp::SysctlState s{sc::read_ipv4("ip_forward"), sc::read_conf("all", "rp_filter"),
                        sc::read_conf(up, "rp_filter")};
    for (const auto& f : igmp::preflight(s, up)) {
        if (!cfg.fix_sysctl) {
            tlog::warning("{}; run: {} (or set fix-sysctl = yes)", f.problem,
                          igmp::fix_command(f.fixes));
            continue;
        }
        for (const auto& fix : f.fixes) {
            auto r = fix.iface.empty() ? sc::write_ipv4(fix.key, fix.value)
                                       : sc::write_conf(fix.iface, fix.key, fix.value);
            if (r)
                tlog::notice("fix-sysctl: set {} = {}", fix.name(), fix.value);
            else
                tlog::error("fix-sysctl: {}", r.error().to_string());
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool legacy = false;
    auto cli = triplay::parse_cli(
        {"igmpproxyd", "IGMP proxy (RFC 4605) for IPTV: replaces igmpproxy",
         [&](CLI::App& app) { app.add_flag("--legacy", legacy, "read a classic igmpproxy.conf"); }},
        argc, argv);
    if (const int* rc = std::get_if<int>(&cli)) return *rc;
    const auto& opt = std::get<triplay::CommonOptions>(cli);
    tlog::init("igmpproxyd", tlog::Sink::Stderr, opt.verbosity);
    auto format = legacy ? igmp::Format::Legacy : igmp::Format::Auto;

    auto cfg = igmp::load_config(opt.config, format);
    if (!cfg) {
        std::fputs(cfg.error().to_string().c_str(), stderr);
        return EX_CONFIG;
    }
    std::fputs(igmp::format_warnings(*cfg, opt.config).c_str(), stderr);
    if (opt.check_config) {
        std::printf("%s: configuration OK (upstream %s, %zu downstream)\n", opt.config.c_str(),
                    cfg->upstream.name.c_str(), cfg->downstreams.size());
        return EX_OK;
    }

    preflight(*cfg);
    auto mrt = igmp::MrouteSocket::open();
    if (!mrt) return fatal(mrt.error(), "opening the multicast routing socket");
    auto rtnl = triplay::netlink::RouteSocket::open();
    if (!rtnl) return fatal(rtnl.error(), "opening the netlink route socket");
    auto events = triplay::netlink::EventSocket::open(triplay::netlink::EventSocket::Links |
                                                      triplay::netlink::EventSocket::Addrs);
    if (!events) return fatal(events.error(), "subscribing to netlink events");
    if (auto r = triplay::prepare_directory_for(cfg->state_file, cfg->user); !r)
        tlog::warning("{}; the state file will not be written", r.error().to_string());
    // VIFs and MFC entries need CAP_NET_ADMIN for as long as we run; nothing else is kept.
    if (auto r = triplay::drop_privileges(cfg->user, {triplay::Cap::NetAdmin}); !r)
        return fatal(r.error(), "dropping privileges");

    auto created = triplay::EventLoop::create();
    if (!created) return fatal(created.error(), "creating the event loop");
    auto& loop = *created;
    igmp::Proxy proxy(*loop, std::move(*cfg), std::move(*mrt), std::move(*rtnl), std::move(*events));
    auto stop = [&] { loop->stop(); };
    bool ok = loop->add_signal(SIGTERM, stop) && loop->add_signal(SIGINT, stop) &&
              loop->add_signal(SIGUSR1, [&] { proxy.log_state(); }) &&
              loop->add_signal(SIGHUP, [&] {
                  triplay::daemon::notify_reloading();
                  auto next = igmp::load_config(opt.config, format);
                  if (next)
                      proxy.reload(std::move(*next));
                  else
                      tlog::error("reload: keeping the running configuration:\n{}",
                                  next.error().to_string());
                  triplay::daemon::notify_ready();
              });
    if (!ok) return fatal({"signalfd setup failed", errno}, "starting");
    signal(SIGPIPE, SIG_IGN);
    if (auto r = proxy.start(); !r) return fatal(r.error(), "starting");
    if (!opt.foreground) {
        if (auto r = triplay::daemon::detach(); !r) return fatal(r.error(), "detaching");
        tlog::init("igmpproxyd", tlog::Sink::Syslog, opt.verbosity);
    }
    tlog::notice("started (triplay {})", TRIPLAY_VERSION);
    triplay::daemon::notify_ready();
    auto run = loop->run();
    triplay::daemon::notify_stopping();
    proxy.shutdown();
    if (!run) return fatal(run.error(), "event loop");
    return EX_OK;
}
