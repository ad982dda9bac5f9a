// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for ripd-passive's whole pure receive path: parse, re-serialise and re-parse
// (must round-trip), authenticate, validate every entry and feed the table.
#include <cstdlib>
#include <vector>

#include "rip_auth.h"
#include "rip_codec.h"
#include "route_table.h"
#include "validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ripd;
    std::span<const uint8_t> in(data, size);
    auto p = parse(in);
    if (!p) return 0;

    std::vector<uint8_t> out(size + 64);
    triplay::ByteWriter w(out);
    if (serialize(*p, w)) {
        auto again = parse(w.written());
        if (!again || !(*again == *p)) std::abort();  // our bug: a packet that does not round-trip
    }

    static const IfaceConfig cfg = [] {
        IfaceConfig c;
        c.name = "vlan2";
        c.versions = RipVersions::Both;
        return c;
    }();
    static const std::vector<triplay::IfAddr4> addrs{{triplay::Ipv4(10, 214, 1, 2), 9}};
    RxInterface rx{cfg, addrs};
    AuthConfig md5;
    md5.mode = AuthMode::Md5;
    md5.key = {'s', 'e', 'c', 'r', 'e', 't'};
    md5.key_id = 1;
    (void)check_auth(md5, *p, in);
    (void)check_header(rx, *p);

    RouteTable table({std::chrono::seconds(180), std::chrono::seconds(120)}, 64);
    std::vector<Action> actions;
    auto now = TimePoint{};
    for (const auto& rte : p->entries) {
        auto c = check_route(rx, triplay::Ipv4(10, 128, 0, 1), p->version, rte, true);
        if (c) table.update(*c, triplay::Ipv4(10, 128, 0, 1), 3, now, actions);
    }
    table.expire(now + std::chrono::hours(1), actions);
    if (table.routes().size() > 64) std::abort();
    return 0;
}
