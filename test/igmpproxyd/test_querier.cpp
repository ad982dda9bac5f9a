// SPDX-License-Identifier: GPL-2.0-or-later
// The downstream querier (RFC 3376 §6.6, §8; RFC 2236 §3) driven by a fake clock.
// Default timers: query interval 125 s, response 10 s, startup 31.25 s x 2, OQPI 255 s.
#include <catch2/catch.hpp>

#include "querier.h"

using namespace igmp;
using namespace std::chrono_literals;
using triplay::Ipv4;

namespace {

const TimePoint t0 = TimePoint{} + 1h;
const Ipv4 kUs(192, 168, 1, 1), kLower(192, 168, 1, 0), kHigher(192, 168, 1, 200);
constexpr int kIf = 7;
const Action kQuery = SendGeneralQuery{kIf, Version::V3, 10s};

Query general(Version v = Version::V3) {
    return Query{v, Ipv4(), 100};
}

struct Q {
    Querier q;
    std::vector<Action> out;
    explicit Q(Querier::Config c = {}) : q(kIf, c) {}
    void expire(TimePoint now) { q.expire(now, out); }
    void heard(Ipv4 src, TimePoint now, Query query = general()) {
        q.heard_query(src, query, now, out);
    }
    std::vector<Action> take() { return std::exchange(out, {}); }
    // Runs the clock from `from` to `to` in steps, collecting what comes out.
    void run(TimePoint from, TimePoint to, Duration step = 250ms) {
        for (TimePoint t = from; t <= to; t += step) expire(t);
    }
};

}  // namespace

TEST_CASE("querier: without an address it is silent") {
    Q t;
    CHECK(t.q.state() == Querier::State::Idle);
    CHECK_FALSE(t.q.next_deadline());
    t.expire(t0 + 1000s);
    t.heard(kLower, t0);
    CHECK(t.take().empty());
}

TEST_CASE("querier: startup queries, then one every Query Interval") {
    Q t;
    t.q.set_address(kUs, t0, t.out);
    CHECK(t.take() == std::vector<Action>{BecameQuerier{kIf, kUs}, kQuery});
    CHECK(t.q.state() == Querier::State::Startup);
    // RFC 3376 §8.6: Startup Query Interval = Query Interval / 4.
    CHECK(t.q.next_deadline() == t0 + 31250ms);
    t.expire(t0 + 31249ms);
    CHECK(t.take().empty());
    t.expire(t0 + 31250ms);
    CHECK(t.take() == std::vector<Action>{kQuery});  // §8.7: Startup Query Count = 2
    CHECK(t.q.state() == Querier::State::Querier);
    CHECK(t.q.next_deadline() == t0 + 31250ms + 125s);
    t.run(t0 + 31500ms, t0 + 31250ms + 3 * 125s);
    CHECK(t.take() == std::vector<Action>{kQuery, kQuery, kQuery});
}

TEST_CASE("querier: startup count and version come from the config") {
    Querier::Config c;
    c.version = Version::V2;
    c.timers.startup_count = 3;
    c.timers.startup_interval = 10s;
    c.timers.query_response = 5s;
    Q t(c);
    t.q.set_address(kUs, t0, t.out);
    t.run(t0, t0 + 25s);
    const Action v2 = SendGeneralQuery{kIf, Version::V2, 5s};
    CHECK(t.take() == std::vector<Action>{BecameQuerier{kIf, kUs}, v2, v2, v2});
    CHECK(t.q.next_deadline() == t0 + 20s + 125s);
}

TEST_CASE("querier: a lower address wins the election, and we take over when it goes") {
    Q t;
    t.q.set_address(kUs, t0, t.out);
    t.take();
    t.heard(kLower, t0 + 5s);
    CHECK(t.take() == std::vector<Action>{LostQuerier{kIf, kLower}});
    CHECK(t.q.state() == Querier::State::NonQuerier);
    CHECK(t.q.other_querier() == kLower);
    // RFC 3376 §8.5: Other Querier Present Interval = 2 x 125 + 10 / 2 = 255 s.
    CHECK(t.q.next_deadline() == t0 + 5s + 255s);
    // Its queries keep us quiet, startup queries included.
    t.heard(kLower, t0 + 130s);
    t.run(t0 + 5s, t0 + 384s, 1s);
    CHECK(t.take().empty());
    t.expire(t0 + 385s);
    CHECK(t.take() == std::vector<Action>{BecameQuerier{kIf, kUs}, kQuery});
    CHECK(t.q.state() == Querier::State::Querier);
    CHECK(t.q.next_deadline() == t0 + 385s + 125s);
}

TEST_CASE("querier: higher addresses, our own echo and 0.0.0.0 do not take part") {
    Q t;
    t.q.set_address(kUs, t0, t.out);
    t.take();
    t.heard(kHigher, t0 + 1s);
    t.heard(kUs, t0 + 1s);
    t.heard(Ipv4(), t0 + 1s);  // RFC 4541 §2.1.1 snooping switch
    CHECK(t.take().empty());
    CHECK(t.q.is_querier());
    // A group-specific query from a lower address counts like a general one.
    t.heard(kLower, t0 + 2s, Query{Version::V3, Ipv4(239, 0, 0, 2), 10});
    CHECK(t.take() == std::vector<Action>{LostQuerier{kIf, kLower}});
}

TEST_CASE("querier: an older-version querier is reported for the log") {
    Q t;
    t.q.set_address(kHigher, t0, t.out);
    t.take();
    t.heard(kLower, t0 + 1s, general(Version::V2));
    CHECK(t.take() == std::vector<Action>{OlderQuerierHeard{kIf, kLower, Version::V2},
                                          LostQuerier{kIf, kLower}});
    t.heard(kLower, t0 + 2s, general(Version::V3));
    CHECK(t.take().empty());
}

TEST_CASE("querier: address changes") {
    Q t;
    t.q.set_address(kUs, t0, t.out);
    t.heard(kLower, t0 + 1s);
    t.take();
    SECTION("our new address is lower than the winner's: we query at once") {
        t.q.set_address(Ipv4(192, 168, 0, 1), t0 + 10s, t.out);
        CHECK(t.take() == std::vector<Action>{BecameQuerier{kIf, Ipv4(192, 168, 0, 1)}, kQuery});
        CHECK(t.q.next_deadline() == t0 + 135s);
    }
    SECTION("a still higher address: we keep quiet") {
        t.q.set_address(kHigher, t0 + 10s, t.out);
        CHECK(t.take().empty());
        CHECK(t.q.state() == Querier::State::NonQuerier);
    }
    SECTION("the address goes away and comes back: startup again") {
        t.q.set_address(Ipv4(), t0 + 10s, t.out);
        CHECK(t.take().empty());  // we were not the querier
        CHECK(t.q.state() == Querier::State::Idle);
        CHECK_FALSE(t.q.next_deadline());
        t.q.set_address(kUs, t0 + 20s, t.out);
        CHECK(t.take() == std::vector<Action>{BecameQuerier{kIf, kUs}, kQuery});
        CHECK(t.q.state() == Querier::State::Startup);
    }
}

TEST_CASE("querier: losing the address or the interface while querier") {
    Q t;
    t.q.set_address(kUs, t0, t.out);
    t.take();
    SECTION("address") {
        t.q.set_address(Ipv4(), t0 + 1s, t.out);
    }
    SECTION("interface") {
        t.q.stop(t.out);
    }
    CHECK(t.take() == std::vector<Action>{LostQuerier{kIf, Ipv4()}});
    CHECK(t.q.state() == Querier::State::Idle);
    t.expire(t0 + 1000s);
    CHECK(t.take().empty());
    CHECK(to_string(Querier::State::NonQuerier) == "non-querier");
}
