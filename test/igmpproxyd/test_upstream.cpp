// SPDX-License-Identifier: GPL-2.0-or-later
// The upstream reporter (RFC 4605 §4.1; RFC 3376 §5, §7.2.1; RFC 2236 §3) driven by a fake
// clock and a scripted random source. Default timers: robustness 2, unsolicited report
// interval 1 s (v3) / 10 s (v2), older querier present 260 s, OQPI 255 s.
#include <catch2/catch.hpp>

#include "upstream.h"

using namespace igmp;
using namespace std::chrono_literals;
using triplay::Ipv4;

namespace {

const TimePoint t0 = TimePoint{} + 1h;
const Ipv4 kG(239, 0, 0, 2), kG2(239, 0, 5, 7);
const Ipv4 kS1(172, 26, 22, 1), kS2(172, 26, 22, 2), kS3(172, 26, 22, 3);
const Ipv4 kQuerier(10, 128, 0, 1);
constexpr int kUp = 3;

FilterState inc(SourceSet s) {
    return {FilterMode::Include, std::move(s)};
}
FilterState exc(SourceSet s = {}) {
    return {FilterMode::Exclude, std::move(s)};
}

Action v2_report(Ipv4 g) {
    return SendReport{kUp, g, Report{Version::V2, g, {}}};
}
Action v1_report(Ipv4 g) {
    return SendReport{kUp, g, Report{Version::V1, g, {}}};
}
Action v2_leave(Ipv4 g) {
    return SendReport{kUp, kAllRouters, Leave{g}};
}
Action v3_report(std::vector<GroupRecord> recs) {
    return SendReport{kUp, kAllV3Routers, Report{Version::V3, {}, std::move(recs)}};
}
GroupRecord rec(RecordType t, Ipv4 g, std::vector<Ipv4> s = {}) {
    return {t, g, std::move(s)};
}

Query general(Version v = Version::V3, uint8_t max_resp = 100) {
    return Query{v, Ipv4(), max_resp};
}
Query specific(Ipv4 g, std::vector<Ipv4> sources = {}) {
    Query q{Version::V3, g, 100};
    q.sources = std::move(sources);
    return q;
}

UpstreamReporter::Config cfg(UpstreamVersion v = UpstreamVersion::Auto,
                             RefreshMode r = RefreshMode::Off, Duration period = 60s) {
    UpstreamReporter::Config c;
    c.version = v;
    c.refresh = r;
    c.refresh_period = period;
    return c;
}

struct U {
    // The random source returns `fraction` of the maximum, so delays are predictable.
    double fraction = 0.5;
    UpstreamReporter u;
    std::vector<Action> out;
    explicit U(UpstreamReporter::Config c = cfg())
        : u(kUp, std::move(c),
            [this](Duration max) { return std::chrono::duration_cast<Duration>(max * fraction); }) {
    }
    bool set(Ipv4 g, const FilterState& s, TimePoint now) {
        return u.set_membership(g, s, now, out);
    }
    void heard(const Query& q, TimePoint now) { u.heard_query(kQuerier, q, now, out); }
    void expire(TimePoint now) { u.expire(now, out); }
    std::vector<Action> take() { return std::exchange(out, {}); }
    void run(TimePoint from, TimePoint to, Duration step = 100ms) {
        for (TimePoint t = from; t <= to; t += step) expire(t);
    }
};

}  // namespace

TEST_CASE("upstream: v2 join is reported at once and repeated; leave goes to 224.0.0.2") {
    U t(cfg(UpstreamVersion::V2));
    CHECK(t.set(kG, exc(), t0));
    CHECK(t.take() == std::vector<Action>{v2_report(kG)});
    // RFC 2236 §3: repeated after a random delay up to the Unsolicited Report Interval.
    CHECK(t.u.next_deadline() == t0 + 5s);
    t.run(t0, t0 + 30s);
    CHECK(t.take() == std::vector<Action>{v2_report(kG)});
    CHECK_FALSE(t.u.next_deadline());

    // v2 cannot carry sources: a change of sources only says nothing.
    t.set(kG, inc({kS1}), t0 + 40s);
    CHECK(t.take().empty());

    t.set(kG, inc({}), t0 + 50s);
    CHECK(t.take() == std::vector<Action>{v2_leave(kG)});
    t.run(t0 + 50s, t0 + 80s);
    CHECK(t.take() == std::vector<Action>{v2_leave(kG)});
    CHECK(t.u.groups().empty());
}

TEST_CASE("upstream: rejoining while the leave is repeated sends a report") {
    U t(cfg(UpstreamVersion::V2));
    t.set(kG, exc(), t0);
    t.run(t0, t0 + 10s);
    t.set(kG, inc({}), t0 + 20s);
    t.set(kG, exc(), t0 + 21s);
    CHECK(t.take() ==
          std::vector<Action>{v2_report(kG), v2_report(kG), v2_leave(kG), v2_report(kG)});
    t.run(t0 + 21s, t0 + 40s);
    CHECK(t.take() == std::vector<Action>{v2_report(kG)});  // no stray leave
}

TEST_CASE("upstream: v3 state-change reports are sent Robustness times (RFC 3376 §5.1)") {
    U t;
    SECTION("join in EXCLUDE mode: TO_EX") {
        t.set(kG, exc(), t0);
        const Action r = v3_report({rec(RecordType::ChangeToExclude, kG)});
        CHECK(t.take() == std::vector<Action>{r});
        CHECK(t.u.next_deadline() == t0 + 500ms);  // random in (0, 1 s]
        t.run(t0, t0 + 5s);
        CHECK(t.take() == std::vector<Action>{r});
        t.set(kG, inc({}), t0 + 10s);
        t.run(t0 + 10s, t0 + 15s);
        const Action l = v3_report({rec(RecordType::ChangeToInclude, kG)});
        CHECK(t.take() == std::vector<Action>{l, l});
        CHECK(t.u.groups().empty());
    }
    SECTION("INCLUDE mode: ALLOW and BLOCK with per-source retransmissions") {
        t.set(kG, inc({kS1, kS2}), t0);
        t.run(t0, t0 + 2s);
        const Action a = v3_report({rec(RecordType::AllowNewSources, kG, {kS1, kS2})});
        CHECK(t.take() == std::vector<Action>{a, a});
        t.set(kG, inc({kS2, kS3}), t0 + 10s);
        t.run(t0 + 10s, t0 + 12s);
        const Action c = v3_report({rec(RecordType::AllowNewSources, kG, {kS3}),
                                    rec(RecordType::BlockOldSources, kG, {kS1})});
        CHECK(t.take() == std::vector<Action>{c, c});
    }
    SECTION("a change during retransmission is merged into the pending report") {
        t.set(kG, inc({kS1}), t0);
        t.set(kG, inc({}), t0 + 100ms);  // S1 moves from the ALLOW to the BLOCK list
        t.run(t0 + 100ms, t0 + 2s);
        const Action a = v3_report({rec(RecordType::AllowNewSources, kG, {kS1})});
        const Action b = v3_report({rec(RecordType::BlockOldSources, kG, {kS1})});
        CHECK(t.take() == std::vector<Action>{a, b, b});
        CHECK(t.u.groups().empty());
    }
    SECTION("a filter-mode change stays pending with the newest source list") {
        t.set(kG, inc({kS1}), t0);
        t.set(kG, exc({kS2}), t0 + 100ms);
        t.set(kG, exc({kS3}), t0 + 200ms);
        t.run(t0 + 200ms, t0 + 2s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::AllowNewSources, kG, {kS1})}),
                                  v3_report({rec(RecordType::ChangeToExclude, kG, {kS2})}),
                                  v3_report({rec(RecordType::ChangeToExclude, kG, {kS3})}),
                                  v3_report({rec(RecordType::ChangeToExclude, kG, {kS3})})});
    }
}

TEST_CASE("upstream: a v2 querier turns auto into v2 until its timer runs out") {
    U t;
    t.set(kG, exc(), t0);
    t.take();
    t.heard(general(Version::V2), t0 + 100ms);
    auto a = t.take();
    REQUIRE(!a.empty());
    CHECK(a.front() == Action{UpstreamVersionChanged{kUp, Version::V2}});
    CHECK(t.u.version() == Version::V2);
    // RFC 3376 §7.2.1: the pending v3 retransmission is cancelled; the query is answered in v2.
    t.run(t0 + 100ms, t0 + 11s);
    CHECK(t.take() == std::vector<Action>{v2_report(kG)});
    t.set(kG2, exc(), t0 + 20s);
    CHECK(t.take() == std::vector<Action>{v2_report(kG2)});
    t.set(kG2, inc({}), t0 + 30s);
    CHECK(t.take() == std::vector<Action>{v2_leave(kG2)});
    // §8.12: 2 x 125 + 10 s after the last v2 query, back to v3.
    t.expire(t0 + 100ms + 260s);
    a = t.take();
    CHECK(std::find(a.begin(), a.end(), Action{UpstreamVersionChanged{kUp, Version::V3}}) !=
          a.end());
    CHECK(t.u.version() == Version::V3);
}

TEST_CASE("upstream: a v1 querier gets v1 reports and no leaves") {
    U t(cfg(UpstreamVersion::V2));
    t.heard(Query{Version::V1, Ipv4(), 0}, t0);
    CHECK(t.take() == std::vector<Action>{UpstreamVersionChanged{kUp, Version::V1}});
    t.set(kG, exc(), t0 + 1s);
    CHECK(t.take() == std::vector<Action>{v1_report(kG)});
    t.run(t0 + 1s, t0 + 20s);
    t.take();
    t.set(kG, inc({}), t0 + 30s);
    t.run(t0 + 30s, t0 + 60s);
    CHECK(t.take().empty());
    CHECK(t.u.groups().empty());
}

TEST_CASE("upstream: a forced v3 stays v3 whatever the querier speaks") {
    U t(cfg(UpstreamVersion::V3));
    t.heard(general(Version::V2), t0);
    CHECK(t.take().empty());
    CHECK(t.u.version() == Version::V3);
}

TEST_CASE("upstream: v3 general query answered within Max Resp with every group") {
    U t;
    t.set(kG, exc({kS1}), t0);
    t.set(kG2, inc({kS2, kS3}), t0);
    t.set(Ipv4(224, 0, 0, 251), exc(), t0);  // never reported
    t.run(t0, t0 + 5s);
    t.take();
    t.fraction = GENERATE(0.0, 0.3, 1.0);
    t.heard(general(Version::V3, 100), t0 + 10s);
    const TimePoint due = t0 + 10s + std::chrono::duration_cast<Duration>(10s * t.fraction);
    CHECK(t.u.next_deadline() == due);
    CHECK(t.u.next_deadline() <= t0 + 20s);
    // RFC 3376 §5.2 rule 1: a later query does not push back the pending answer.
    t.fraction = 1.0;
    t.heard(general(), t0 + 10s);
    CHECK(t.u.next_deadline() == due);
    t.expire(due);
    CHECK(t.take() ==
          std::vector<Action>{v3_report({rec(RecordType::ModeIsExclude, kG, {kS1}),
                                         rec(RecordType::ModeIsInclude, kG2, {kS2, kS3})})});
    CHECK_FALSE(t.u.next_deadline());
}

TEST_CASE("upstream: v3 group and group-and-source queries") {
    U t;
    t.set(kG, exc({kS1}), t0);
    t.set(kG2, inc({kS1, kS2}), t0);
    t.run(t0, t0 + 5s);
    t.take();
    SECTION("group-specific: that group only") {
        t.heard(specific(kG), t0 + 10s);
        t.run(t0 + 10s, t0 + 20s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::ModeIsExclude, kG, {kS1})})});
    }
    SECTION("sources: INCLUDE answers A*Q, EXCLUDE answers Q-A") {
        t.heard(specific(kG2, {kS2, kS3}), t0 + 10s);
        t.heard(specific(kG, {kS1, kS2}), t0 + 10s);
        t.run(t0 + 10s, t0 + 20s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::ModeIsInclude, kG, {kS2}),
                                             rec(RecordType::ModeIsInclude, kG2, {kS2})})});
    }
    SECTION("source lists of two queries add up; a group query clears them") {
        t.heard(specific(kG2, {kS1}), t0 + 10s);
        t.heard(specific(kG2, {kS2}), t0 + 10s);
        t.run(t0 + 10s, t0 + 20s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::ModeIsInclude, kG2, {kS1, kS2})})});
        t.heard(specific(kG2, {kS1}), t0 + 30s);
        t.heard(specific(kG2), t0 + 30s);
        t.run(t0 + 30s, t0 + 40s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::ModeIsInclude, kG2, {kS1, kS2})})});
    }
    SECTION("nothing for a group we do not have or a source we do not want") {
        t.heard(specific(Ipv4(239, 9, 9, 9)), t0 + 10s);
        t.heard(specific(kG2, {kS3}), t0 + 10s);
        t.run(t0 + 10s, t0 + 20s);
        CHECK(t.take().empty());
    }
}

TEST_CASE("upstream: v2 queries are answered per group within Max Resp") {
    U t(cfg(UpstreamVersion::V2));
    t.set(kG, exc(), t0);
    t.set(kG2, exc(), t0);
    t.run(t0, t0 + 10s);
    t.take();
    SECTION("general: every group") {
        t.heard(general(Version::V2, 50), t0 + 20s);  // 5 s
        t.expire(t0 + 22s);
        CHECK(t.take().empty());
        t.expire(t0 + 22500ms);
        CHECK(t.take() == std::vector<Action>{v2_report(kG), v2_report(kG2)});
    }
    SECTION("group-specific: that group only") {
        t.heard(Query{Version::V2, kG2, 10}, t0 + 20s);
        t.run(t0 + 20s, t0 + 22s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG2)});
    }
    SECTION("a running timer is only shortened") {
        t.heard(Query{Version::V2, kG, 20}, t0 + 20s);  // due at +1 s
        t.heard(general(Version::V2, 100), t0 + 20s);   // kG keeps +1 s, kG2 at +5 s
        t.expire(t0 + 21s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG)});
        t.expire(t0 + 25s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG2)});
    }
}

TEST_CASE("upstream: refresh while no querier is heard, no leave in between") {
    SECTION("v2, fixed period") {
        U t(cfg(UpstreamVersion::V2, RefreshMode::Fixed, 60s));
        t.set(kG, exc(), t0);
        t.run(t0, t0 + 59s, 1s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG), v2_report(kG)});
        t.run(t0 + 60s, t0 + 180s, 1s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG), v2_report(kG), v2_report(kG)});
    }
    SECTION("v3: current-state records for every group") {
        U t(cfg(UpstreamVersion::Auto, RefreshMode::Auto, 60s));
        t.set(kG, exc(), t0);
        t.set(kG2, inc({kS1}), t0 + 30s);
        t.run(t0, t0 + 59s, 1s);
        t.take();
        t.expire(t0 + 60s);
        CHECK(t.take() ==
              std::vector<Action>{v3_report({rec(RecordType::ModeIsExclude, kG),
                                             rec(RecordType::ModeIsInclude, kG2, {kS1})})});
        CHECK(t.u.next_deadline() == t0 + 120s);
    }
    SECTION("off: never") {
        U t(cfg(UpstreamVersion::V2, RefreshMode::Off));
        t.set(kG, exc(), t0);
        t.run(t0, t0 + 1000s, 1s);
        CHECK(t.take().size() == 2);
        CHECK_FALSE(t.u.next_deadline());
    }
    SECTION("nothing to refresh without groups") {
        U t(cfg(UpstreamVersion::V2, RefreshMode::Fixed, 60s));
        CHECK_FALSE(t.u.next_deadline());
    }
}

TEST_CASE("upstream: refresh stops while a querier is heard and resumes when it goes") {
    SECTION("auto: silent for the Other Querier Present Interval") {
        U t(cfg(UpstreamVersion::V2, RefreshMode::Auto, 60s));
        t.set(kG, exc(), t0);
        t.run(t0, t0 + 60s, 1s);
        CHECK(t.take().size() == 3);  // report, repeat, first refresh
        // A querier every 125 s from t0 + 100 s to t0 + 475 s: only answers, no refresh.
        std::vector<Action> seen;
        for (TimePoint q = t0 + 100s; q <= t0 + 475s; q += 125s) {
            t.heard(general(Version::V2), q);
            t.run(q, q + 124s, 1s);
            auto a = t.take();
            CHECK(a == std::vector<Action>{v2_report(kG)});  // the answer, nothing else
        }
        CHECK(t.u.querier_heard(t0 + 600s));
        // Last query at t0 + 475 s: refreshes again from t0 + 475 + 255 s, every 60 s.
        t.run(t0 + 600s, t0 + 729s, 1s);
        CHECK(t.take().empty());
        CHECK_FALSE(t.u.querier_heard(t0 + 730s));
        t.run(t0 + 730s, t0 + 850s, 1s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG), v2_report(kG), v2_report(kG)});
    }
    SECTION("fixed: silent for the period") {
        U t(cfg(UpstreamVersion::V2, RefreshMode::Fixed, 60s));
        t.set(kG, exc(), t0);
        t.run(t0, t0 + 20s, 1s);
        t.take();
        t.heard(general(Version::V2), t0 + 50s);
        t.run(t0 + 21s, t0 + 109s, 1s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG)});  // the answer only
        t.run(t0 + 110s, t0 + 110s, 1s);
        CHECK(t.take() == std::vector<Action>{v2_report(kG)});
    }
}

TEST_CASE("upstream: 224.0.0.0/24 and non-multicast groups are never reported") {
    U t(cfg(UpstreamVersion::V2, RefreshMode::Fixed, 10s));
    CHECK_FALSE(t.set(Ipv4(224, 0, 0, 251), exc(), t0));
    CHECK_FALSE(t.set(Ipv4(224, 0, 0, 1), exc(), t0));
    CHECK_FALSE(t.set(Ipv4(10, 1, 1, 1), exc(), t0));
    t.u.sync({{Ipv4(224, 0, 0, 22), exc()}, {kG, exc()}}, t0, t.out);
    t.heard(general(Version::V2), t0 + 1s);
    t.run(t0, t0 + 100s);
    for (const Action& a : t.take()) {
        const auto* r = std::get_if<SendReport>(&a);
        REQUIRE(r);
        CHECK(r->dst == kG);
    }
    CHECK(t.u.groups().size() == 1);
}

TEST_CASE("upstream: sync ends groups that are gone") {
    U t(cfg(UpstreamVersion::V2));
    t.u.sync({{kG, exc()}, {kG2, exc()}}, t0, t.out);
    CHECK(t.take() == std::vector<Action>{v2_report(kG), v2_report(kG2)});
    t.u.sync({{kG2, exc()}}, t0 + 1s, t.out);
    CHECK(t.take() == std::vector<Action>{v2_leave(kG)});
}

TEST_CASE("upstream: leave_all at shutdown") {
    SECTION("v3: one report of TO_IN {} records") {
        U t;
        t.set(kG, exc(), t0);
        t.set(kG2, inc({kS1}), t0);
        t.take();
        t.u.leave_all(t0 + 1s, t.out);
        CHECK(t.take() == std::vector<Action>{v3_report({rec(RecordType::ChangeToInclude, kG),
                                                         rec(RecordType::ChangeToInclude, kG2)})});
    }
    SECTION("v2: a leave each") {
        U t(cfg(UpstreamVersion::V2));
        t.set(kG, exc(), t0);
        t.set(kG2, exc(), t0);
        t.take();
        t.u.leave_all(t0 + 1s, t.out);
        CHECK(t.take() == std::vector<Action>{v2_leave(kG), v2_leave(kG2)});
    }
}

TEST_CASE("upstream: pack_records splits reports to the MTU (RFC 3376 §4.2.16)") {
    std::vector<Ipv4> many;
    for (uint32_t i = 0; i < 400; ++i) many.push_back(Ipv4(0xac1a0000 + i));
    // 1500 - 24 = 1476 bytes: 8 header + 8 record header + 365 sources.
    auto r = pack_records({rec(RecordType::ModeIsInclude, kG, many)}, 1500);
    REQUIRE(r.size() == 2);
    CHECK(r[0].records.at(0).sources.size() == 365);
    CHECK(r[1].records.at(0).sources.size() == 35);
    r = pack_records({rec(RecordType::ModeIsExclude, kG, many)}, 1500);
    REQUIRE(r.size() == 1);
    CHECK(r[0].records.at(0).sources.size() == 365);  // the rest is not reported

    std::vector<GroupRecord> groups;
    for (uint32_t i = 0; i < 200; ++i)
        groups.push_back(rec(RecordType::ModeIsExclude, Ipv4(0xef000000 + i)));
    r = pack_records(groups, 1500);
    REQUIRE(r.size() == 2);
    CHECK(r[0].records.size() == 183);  // (1476 - 8) / 8
    CHECK(r[1].records.size() == 17);
    CHECK(pack_records({}, 1500).empty());
}
