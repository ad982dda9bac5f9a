// SPDX-License-Identifier: GPL-2.0-or-later
// ripd-passive: listens to RIPv2 on the configured interfaces, never speaks, and keeps the
// kernel's routes equal to what the neighbours announce (replaces Quagga zebra + ripd).
#include <signal.h>
#include <sysexits.h>

#include <cerrno>
#include <cstdio>

#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "event_loop.h"
#include "log.h"
#include "privilege.h"
#include "ripd.h"

namespace tlog = triplay::log;

namespace {

int exit_code_for(const triplay::Error& e) {
    switch (e.errnum) {
        case EPERM: case EACCES: return EX_NOPERM;
        case EADDRINUSE: return EX_UNAVAILABLE;
        default: return EX_OSERR;
    }
}

int fatal(const triplay::Error& e, std::string_view doing) {
    tlog::error("{}: {}", doing, e.to_string());
    return exit_code_for(e);
}

}  // namespace

int main(int argc, char** argv) {
    auto cli = triplay::parse_cli({"ripd-passive", "Passive RIPv2 listener: learns routes, never "
                                   "announces any (replaces Quagga zebra + ripd)", {}},
                                  argc, argv);
    if (const int* rc = std::get_if<int>(&cli)) return *rc;
    const auto& opt = std::get<triplay::CommonOptions>(cli);
    tlog::init("ripd-passive", tlog::Sink::Stderr, opt.verbosity);

    auto cfg = ripd::load_config(opt.config);
    if (!cfg) {
        std::fputs(cfg.error().to_string().c_str(), stderr);
        return EX_CONFIG;
    }
    if (opt.check_config) {
        std::printf("%s: configuration OK (%zu interfaces)\n", opt.config.c_str(),
                    cfg->interfaces.size());
        return EX_OK;
    }

    bool request_on_start = cfg->request_on_start;
    // Everything privileged first: port 520, the netlink sockets.
    auto sock = ripd::RipSocket::open(ripd::kRipPort);
    if (!sock) return fatal(sock.error(), "opening the RIP socket");
    auto rtnl = triplay::netlink::RouteSocket::open();
    if (!rtnl) return fatal(rtnl.error(), "opening the netlink route socket");
    auto events = triplay::netlink::EventSocket::open(triplay::netlink::EventSocket::Links |
                                                      triplay::netlink::EventSocket::Addrs |
                                                      triplay::netlink::EventSocket::RouteDeletions);
    if (!events) return fatal(events.error(), "subscribing to netlink events");

    if (auto r = triplay::prepare_directory_for(cfg->state_file, cfg->user); !r)
        tlog::warning("{}; the state file will not be written", r.error().to_string());
    // Routes need CAP_NET_ADMIN for as long as we run; nothing else is kept.
    if (auto r = triplay::drop_privileges(cfg->user, {triplay::Cap::NetAdmin}); !r)
        return fatal(r.error(), "dropping privileges");

    auto created = triplay::EventLoop::create();
    if (!created) return fatal(created.error(), "creating the event loop");
    auto& loop = *created;
    ripd::Ripd daemon(*loop, std::move(*cfg), std::move(*sock), std::move(*rtnl), std::move(*events));

    auto stop = [&] { loop->stop(); };
    bool ok = loop->add_signal(SIGTERM, stop) && loop->add_signal(SIGINT, stop) &&
              loop->add_signal(SIGUSR1, [&] { daemon.log_state(); }) &&
              loop->add_signal(SIGHUP, [&] {
                  triplay::daemon::notify_reloading();
                  auto next = ripd::load_config(opt.config);
                  if (next)
                      daemon.reload(std::move(*next));
                  else
                      tlog::error("reload: keeping the running configuration:\n{}",
                                 next.error().to_string());
                  triplay::daemon::notify_ready();
              });
    if (!ok) return fatal({"signalfd setup failed", errno}, "starting");
    signal(SIGPIPE, SIG_IGN);

    if (auto r = daemon.start(); !r) return fatal(r.error(), "starting");
    // Detach only now: every start-up failure above reached the terminal with its exit code.
    if (!opt.foreground) {
        if (auto r = triplay::daemon::detach(); !r) return fatal(r.error(), "detaching");
        tlog::init("ripd-passive", tlog::Sink::Syslog, opt.verbosity);
    }
    tlog::notice("started (triplay {}); {}", TRIPLAY_VERSION,
                 request_on_start ? "one RIP Request per interface, then silent"
                                  : "passive: no RIP packet will be sent");
    triplay::daemon::notify_ready();
    auto run = loop->run();
    triplay::daemon::notify_stopping();
    daemon.shutdown();
    if (!run) return fatal(run.error(), "event loop");
    return EX_OK;
}
