// SPDX-License-Identifier: GPL-2.0-or-later
// Downstream membership with host tracking (RFC 3376 §3.2, §6.6.3, §7.3.2; RFC 2236 §3)
// driven by a fake clock. Default timers: GMI 260 s, LMQI 1 s, LMQC 2.
#include <catch2/catch.hpp>

#include "membership.h"

using namespace igmp;
using namespace std::chrono_literals;
using triplay::Ipv4;

namespace {

const TimePoint t0 = TimePoint{} + 1h;
const Ipv4 kG(239, 0, 0, 2), kG2(239, 0, 5, 7), kG3(239, 0, 5, 8);
const Ipv4 kH1(192, 168, 1, 10), kH2(192, 168, 1, 11), kH3(192, 168, 1, 12);
const Ipv4 kS1(172, 26, 22, 1), kS2(172, 26, 22, 2), kS3(172, 26, 22, 3), kS4(172, 26, 22, 4);
constexpr int kIf = 5, kIf2 = 6;

Report v1(Ipv4 g) {
    return Report{Version::V1, g, {}};
}
Report v2(Ipv4 g) {
    return Report{Version::V2, g, {}};
}
Report v3(RecordType t, Ipv4 g, std::vector<Ipv4> s = {}) {
    return Report{Version::V3, {}, {GroupRecord{t, g, std::move(s)}}};
}
FilterState inc(SourceSet s) {
    return {FilterMode::Include, std::move(s)};
}
FilterState exc(SourceSet s = {}) {
    return {FilterMode::Exclude, std::move(s)};
}
SendGroupQuery gq(Ipv4 g = kG, std::vector<Ipv4> s = {}, int ifindex = kIf) {
    return {ifindex, g, std::move(s)};
}

Membership::Config cfg(bool quickleave = false) {
    Membership::Config c;
    c.quickleave = quickleave;
    return c;
}

struct M {
    Membership m;
    std::vector<Action> out;
    explicit M(Membership::Config c = cfg()) : m(std::move(c)) {}
    Outcome rep(Ipv4 host, const Report& r, TimePoint now, int ifindex = kIf) {
        return m.report(ifindex, host, r, now, out);
    }
    Outcome leave(Ipv4 host, TimePoint now, Ipv4 g = kG, int ifindex = kIf) {
        return m.leave(ifindex, host, g, now, out);
    }
    void expire(TimePoint now) { m.expire(now, out); }
    std::vector<Action> take() { return std::exchange(out, {}); }
    const Membership::Group& group(Ipv4 g = kG, int ifindex = kIf) const {
        const Membership::Group* p = m.find(ifindex, g);
        REQUIRE(p);
        return *p;
    }
};

}  // namespace

TEST_CASE("membership: a v2 report joins, another refreshes, silence times out") {
    M t;
    CHECK(t.rep(kH1, v2(kG), t0) == Outcome::Accepted);
    CHECK(t.take() == std::vector<Action>{GroupJoined{kIf, kG, exc()}});
    CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
    CHECK(t.m.interested(kS1, kG2).empty());
    CHECK(t.m.next_deadline() == t0 + 260s);  // RFC 3376 §8.4: 2 x 125 + 10

    CHECK(t.rep(kH1, v2(kG), t0 + 100s) == Outcome::Accepted);
    CHECK(t.take().empty());
    CHECK(t.m.next_deadline() == t0 + 360s);

    t.expire(t0 + 359s);
    CHECK(t.take().empty());
    t.expire(t0 + 360s);
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});  // no query: it timed out
    CHECK(t.m.size() == 0);
    CHECK_FALSE(t.m.next_deadline());
}

TEST_CASE("membership: leave without quickleave queries twice, then the group goes") {
    M t;
    t.rep(kH1, v2(kG), t0);
    t.take();
    CHECK(t.leave(kH1, t0 + 10s) == Outcome::Accepted);
    // RFC 2236 §3: the first group-specific query at once; still forwarding meanwhile.
    CHECK(t.take() == std::vector<Action>{gq()});
    CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
    CHECK(t.m.next_deadline() == t0 + 11s);
    t.expire(t0 + 10500ms);
    CHECK(t.take().empty());
    t.expire(t0 + 11s);
    CHECK(t.take() == std::vector<Action>{gq()});  // Last Member Query Count = 2
    t.expire(t0 + 11999ms);
    CHECK(t.take().empty());
    t.expire(t0 + 12s);  // Last Member Query Time = 2 s without a report
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});
    CHECK(t.m.find(kIf, kG) == nullptr);
    CHECK_FALSE(t.m.next_deadline());
}

TEST_CASE("membership: a report during the last-member queries keeps the group") {
    M t;
    t.rep(kH1, v2(kG), t0);
    t.leave(kH1, t0 + 10s);
    t.take();
    SECTION("from a host we did not know (its report was suppressed)") {
        CHECK(t.rep(kH2, v2(kG), t0 + 10300ms) == Outcome::Accepted);
        CHECK(t.take().empty());  // joined all along
        t.expire(t0 + 11s);
        CHECK(t.take() == std::vector<Action>{gq()});
        t.expire(t0 + 12s);
        CHECK(t.take().empty());
        CHECK(t.group().hosts.size() == 1);
        CHECK(t.group().hosts.count(kH2) == 1);
        CHECK(t.group().merged == exc());
        CHECK(t.m.next_deadline() == t0 + 10300ms + 260s);
    }
    SECTION("from the host that left (it joined again)") {
        CHECK(t.rep(kH1, v2(kG), t0 + 10300ms) == Outcome::Accepted);
        t.expire(t0 + 12s);
        t.take();
        CHECK(t.group().hosts.at(kH1).state == exc());
        CHECK_FALSE(t.group().hosts.at(kH1).lingering);
    }
}

TEST_CASE("membership: quickleave drops the last host and the group at once") {
    M t(cfg(true));
    t.rep(kH1, v2(kG), t0);
    t.take();
    CHECK(t.leave(kH1, t0 + 10s) == Outcome::Accepted);
    // The group goes now; the queries still go out so an unknown member can answer.
    CHECK(t.take() == std::vector<Action>{gq(), GroupLeft{kIf, kG}});
    CHECK(t.m.interested(kS1, kG).empty());
    SECTION("nobody answers") {
        t.expire(t0 + 11s);
        CHECK(t.take() == std::vector<Action>{gq()});
        CHECK(t.m.size() == 0);
        CHECK_FALSE(t.m.next_deadline());
    }
    SECTION("an unknown member answers and is back") {
        t.rep(kH2, v2(kG), t0 + 10400ms);
        CHECK(t.take() == std::vector<Action>{GroupJoined{kIf, kG, exc()}});
    }
}

TEST_CASE("membership: two hosts, one leaves: the other keeps the group") {
    bool quick = GENERATE(false, true);
    M t(cfg(quick));
    t.rep(kH1, v2(kG), t0);
    t.rep(kH2, v2(kG), t0 + 1s);
    CHECK(t.take() == std::vector<Action>{GroupJoined{kIf, kG, exc()}});
    CHECK(t.leave(kH1, t0 + 5s) == Outcome::Accepted);
    // H2's declared state still forwards everything: nothing lost, nothing to ask.
    CHECK(t.take().empty());
    CHECK(t.group().hosts.size() == 1);
    CHECK(t.group().hosts.count(kH2) == 1);
    CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
    CHECK(t.leave(kH2, t0 + 6s) == Outcome::Accepted);
    auto a = t.take();
    CHECK(a.front() == Action{gq()});
    CHECK((std::find(a.begin(), a.end(), Action{GroupLeft{kIf, kG}}) != a.end()) == quick);
}

TEST_CASE("membership: a host that times out does not cut the others") {
    M t;
    t.rep(kH1, v2(kG), t0);
    t.rep(kH2, v2(kG), t0 + 100s);
    t.take();
    t.expire(t0 + 260s);
    CHECK(t.take().empty());
    CHECK(t.group().hosts.size() == 1);
    t.expire(t0 + 360s);
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});
}

TEST_CASE("membership: leaves we cannot act on are ignored") {
    M t;
    CHECK(t.leave(kH1, t0) == Outcome::Ignored);  // unknown group
    t.rep(kH1, v3(RecordType::ModeIsExclude, kG), t0);
    t.take();
    CHECK(t.leave(kH2, t0 + 1s) == Outcome::Ignored);  // a host that never reported
    CHECK(t.take().empty());
    CHECK(t.m.report(kIf, kH2, v3(RecordType::BlockOldSources, kG, {kS1}), t0, t.out) ==
          Outcome::Ignored);
}

TEST_CASE("membership: reports from 0.0.0.0 and foreign subnets count, keyed by address") {
    M t;
    CHECK(t.rep(Ipv4(), v2(kG), t0) == Outcome::Accepted);
    CHECK(t.rep(Ipv4(10, 99, 0, 1), v2(kG), t0) == Outcome::Accepted);
    CHECK(t.group().hosts.size() == 2);
    CHECK(t.leave(Ipv4(), t0 + 1s) == Outcome::Accepted);
    CHECK(t.group().hosts.size() == 1);
}

TEST_CASE("membership: RFC 3376 §7.3.2 older host present") {
    M t;
    SECTION("v1 host: v2 leaves are ignored until its timer runs out") {
        t.rep(kH1, v1(kG), t0);
        t.rep(kH2, v2(kG), t0);
        t.take();
        CHECK(t.group().compat(t0 + 1s) == Version::V1);
        CHECK(t.leave(kH2, t0 + 1s) == Outcome::CompatIgnored);
        CHECK(t.take().empty());
        CHECK(t.group().hosts.size() == 2);
        // Both refreshed by v2 reports only: the v1 timer ends at t0 + 260 s.
        t.rep(kH2, v2(kG), t0 + 200s);
        t.expire(t0 + 260s);
        CHECK(t.group().compat(t0 + 260s) == Version::V2);
        CHECK(t.leave(kH2, t0 + 261s) == Outcome::Accepted);
    }
    SECTION("v2 host: BLOCK is ignored, TO_EX loses its sources") {
        t.rep(kH1, v2(kG), t0);
        t.rep(kH2, v3(RecordType::ModeIsExclude, kG), t0 + 1s);
        t.take();
        CHECK(t.group().compat(t0 + 2s) == Version::V2);
        CHECK(t.rep(kH2, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 2s) ==
              Outcome::CompatIgnored);
        CHECK(t.group().hosts.at(kH2).state == exc());
        CHECK(t.rep(kH3, v3(RecordType::ChangeToExclude, kG, {kS1, kS2}), t0 + 3s) ==
              Outcome::Accepted);
        CHECK(t.group().hosts.at(kH3).state == exc());
        // TO_IN is honoured: a v3 host can leave while the v2 host stays.
        CHECK(t.rep(kH3, v3(RecordType::ChangeToInclude, kG), t0 + 4s) == Outcome::Accepted);
        CHECK(t.group().hosts.count(kH3) == 0);
        // Once the v2 host's timer ran out, BLOCK counts again.
        t.rep(kH2, v3(RecordType::ModeIsExclude, kG), t0 + 250s);
        t.expire(t0 + 260s);
        t.take();
        CHECK(t.group().compat(t0 + 260s) == Version::V3);
        CHECK(t.rep(kH2, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 261s) ==
              Outcome::Accepted);
        t.expire(t0 + 263s);  // after the source query went unanswered
        CHECK(t.group().merged == exc({kS1}));
    }
}

TEST_CASE("membership: RFC 3376 §3.2 merges of INCLUDE and EXCLUDE hosts") {
    M t;
    SECTION("INCLUDE + INCLUDE = INCLUDE of the union") {
        t.rep(kH1, v3(RecordType::ModeIsInclude, kG, {kS1, kS2}), t0);
        CHECK(t.take() == std::vector<Action>{GroupJoined{kIf, kG, inc({kS1, kS2})}});
        t.rep(kH2, v3(RecordType::ModeIsInclude, kG, {kS2, kS3}), t0);
        CHECK(t.take() == std::vector<Action>{SourcesChanged{kIf, kG, inc({kS1, kS2, kS3})}});
        CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
        CHECK(t.m.interested(kS4, kG).empty());
    }
    SECTION("EXCLUDE + EXCLUDE = EXCLUDE of the intersection, minus INCLUDE lists") {
        t.rep(kH1, v3(RecordType::ModeIsExclude, kG, {kS1, kS2}), t0);
        t.rep(kH2, v3(RecordType::ModeIsExclude, kG, {kS2, kS3}), t0);
        CHECK(t.group().merged == exc({kS2}));
        CHECK(t.m.interested(kS2, kG).empty());
        CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
        t.rep(kH3, v3(RecordType::ModeIsInclude, kG, {kS2}), t0);
        CHECK(t.group().merged == exc());
        CHECK(t.m.interested(kS2, kG) == std::vector<int>{kIf});
    }
    SECTION("ALLOW from a new host is INCLUDE; BLOCK in EXCLUDE adds to the list") {
        t.rep(kH1, v3(RecordType::AllowNewSources, kG, {kS1}), t0);
        CHECK(t.group().hosts.at(kH1).state == inc({kS1}));
        t.rep(kH2, v3(RecordType::ModeIsExclude, kG, {}), t0);
        t.take();
        t.rep(kH2, v3(RecordType::BlockOldSources, kG, {kS1, kS2}), t0 + 1s);
        CHECK(t.group().hosts.at(kH2).state == exc({kS1, kS2}));
        CHECK(t.group().merged.forwards(kS1));  // H1 includes it
        t.rep(kH2, v3(RecordType::AllowNewSources, kG, {kS2}), t0 + 2s);
        CHECK(t.group().hosts.at(kH2).state == exc({kS1}));
    }
}

TEST_CASE("membership: losing sources sends group-and-source queries") {
    M t;
    t.rep(kH1, v3(RecordType::ModeIsInclude, kG, {kS1, kS2}), t0);
    t.take();
    SECTION("BLOCK keeps forwarding the blocked source for the Last Member Query Time") {
        t.rep(kH1, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 10s);
        CHECK(t.take() == std::vector<Action>{gq(kG, {kS1})});
        CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf});
        t.expire(t0 + 11s);
        CHECK(t.take() == std::vector<Action>{gq(kG, {kS1})});
        t.expire(t0 + 12s);
        CHECK(t.take() == std::vector<Action>{SourcesChanged{kIf, kG, inc({kS2})}});
        CHECK(t.m.interested(kS1, kG).empty());
    }
    SECTION("another host answering for the source keeps it") {
        t.rep(kH1, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 10s);
        t.take();
        t.rep(kH2, v3(RecordType::ModeIsInclude, kG, {kS1}), t0 + 10500ms);
        t.expire(t0 + 12s);
        auto a = t.take();
        CHECK(a == std::vector<Action>{gq(kG, {kS1})});
        CHECK(t.group().merged == inc({kS1, kS2}));
    }
    SECTION("a source another known host wants is not asked about") {
        t.rep(kH2, v3(RecordType::ModeIsInclude, kG, {kS1}), t0);
        t.take();
        t.rep(kH1, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 10s);
        CHECK(t.take().empty());
    }
    SECTION("TO_IN from EXCLUDE asks about the whole group") {
        t.rep(kH1, v3(RecordType::ModeIsExclude, kG, {}), t0 + 1s);
        t.take();
        t.rep(kH1, v3(RecordType::ChangeToInclude, kG, {kS3}), t0 + 10s);
        CHECK(t.take() == std::vector<Action>{gq()});
        t.expire(t0 + 11s);
        CHECK(t.take() == std::vector<Action>{gq()});
        t.expire(t0 + 12s);
        CHECK(t.take() == std::vector<Action>{SourcesChanged{kIf, kG, inc({kS3})}});
    }
    SECTION("TO_EX from INCLUDE: the newly excluded source is asked about") {
        t.rep(kH1, v3(RecordType::ChangeToExclude, kG, {kS1}), t0 + 10s);
        // Forwarding widens at once (everything but nothing, while S1 lingers) ...
        CHECK(t.take() == std::vector<Action>{gq(kG, {kS1}), SourcesChanged{kIf, kG, exc()}});
        t.expire(t0 + 12s);
        // ... and narrows when nobody asked for S1.
        auto a = t.take();
        CHECK(a.back() == Action{SourcesChanged{kIf, kG, exc({kS1})}});
    }
    SECTION("with quickleave the sources go at once, the queries still go out") {
        t.m.set_config(cfg(true));
        t.rep(kH1, v3(RecordType::BlockOldSources, kG, {kS1}), t0 + 10s);
        CHECK(t.take() == std::vector<Action>{gq(kG, {kS1}), SourcesChanged{kIf, kG, inc({kS2})}});
    }
}

TEST_CASE("membership: TO_IN {} from a v3 host is a leave") {
    M t;
    t.rep(kH1, v3(RecordType::ChangeToExclude, kG), t0);
    t.take();
    t.rep(kH1, v3(RecordType::ChangeToInclude, kG), t0 + 5s);
    CHECK(t.take() == std::vector<Action>{gq()});
    t.expire(t0 + 7s);
    auto a = t.take();
    CHECK(a.back() == Action{GroupLeft{kIf, kG}});
}

TEST_CASE("membership: the Last Member Query Count comes from the timers") {
    Membership::Config c = cfg();
    c.timers.last_member_count = 3;
    c.timers.last_member_interval = 500ms;
    M t(c);
    t.rep(kH1, v2(kG), t0);
    t.leave(kH1, t0 + 1s);
    t.expire(t0 + 1500ms);
    t.expire(t0 + 2s);
    t.expire(t0 + 2499ms);
    CHECK(t.take() == std::vector<Action>{GroupJoined{kIf, kG, exc()}, gq(), gq(), gq()});
    t.expire(t0 + 2500ms);
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});
}

TEST_CASE("membership: caps refuse with a named reason and change nothing") {
    Membership::Config c = cfg();
    c.max_groups = 2;
    c.max_hosts = 2;
    c.max_sources = 3;
    M t(c);
    t.rep(kH1, v2(kG), t0);
    t.rep(kH1, v2(kG2), t0);
    t.take();
    CHECK(t.rep(kH1, v2(kG3), t0) == Outcome::TooManyGroups);
    CHECK(t.m.find(kIf, kG3) == nullptr);
    CHECK(t.rep(kH2, v2(kG), t0) == Outcome::Accepted);
    CHECK(t.rep(kH3, v2(kG), t0) == Outcome::TooManyHosts);
    CHECK(t.rep(kH1, v2(kG), t0 + 1s) == Outcome::Accepted);  // known hosts still refresh
    CHECK(t.group().hosts.size() == 2);
    CHECK(t.take().empty());

    CHECK(t.rep(kH1, v3(RecordType::ModeIsExclude, kG2, {kS1, kS2}), t0) == Outcome::Accepted);
    CHECK(t.rep(kH2, v3(RecordType::ModeIsExclude, kG2, {kS3, kS4}), t0) ==
          Outcome::TooManySources);
    CHECK(t.group(kG2).hosts.count(kH2) == 0);
    CHECK(t.rep(kH2, v3(RecordType::ModeIsExclude, kG2, {kS2, kS3}), t0) == Outcome::Accepted);
    t.expire(t0 + 3s);  // the narrowing waited for its source queries
    CHECK(t.group(kG2).merged == exc({kS2}));
    CHECK(to_string(Outcome::TooManySources) == "too-many-sources");
}

TEST_CASE("membership: groups that are never proxied") {
    M t;
    CHECK(t.rep(kH1, v2(Ipv4(224, 0, 0, 251)), t0) == Outcome::LinkLocalGroup);
    CHECK(t.rep(kH1, v2(Ipv4(10, 0, 0, 1)), t0) == Outcome::NotMulticast);
    CHECK(t.leave(kH1, t0, Ipv4(224, 0, 0, 22)) == Outcome::LinkLocalGroup);
    CHECK(t.m.size() == 0);
    CHECK(t.take().empty());
    // A v3 report: the valid records count, the refusal is what is returned.
    Report r{Version::V3,
             {},
             {{RecordType::ModeIsExclude, Ipv4(224, 0, 0, 252), {}},
              {RecordType::ModeIsExclude, kG, {}}}};
    CHECK(t.rep(kH1, r, t0) == Outcome::LinkLocalGroup);
    CHECK(t.m.size() == 1);
    CHECK(t.rep(kH1, Report{Version::V3, {}, {}}, t0) == Outcome::Ignored);
}

TEST_CASE("membership: a non-querier sends no queries but still lets a left group go") {
    M t;
    t.m.set_role(kIf, Membership::Role::NonQuerier);
    t.rep(kH1, v2(kG), t0);
    t.take();
    t.leave(kH1, t0 + 10s);
    CHECK(t.take().empty());
    t.expire(t0 + 12s);
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});
}

TEST_CASE("membership: losing the querier role stops pending queries") {
    M t(cfg(true));
    t.rep(kH1, v2(kG), t0);
    t.leave(kH1, t0 + 10s);
    t.take();
    REQUIRE(t.m.size() == 1);  // kept for its second query
    t.m.set_role(kIf, Membership::Role::NonQuerier);
    CHECK(t.m.size() == 0);
    t.expire(t0 + 11s);
    CHECK(t.take().empty());
}

TEST_CASE("membership: a group-specific query heard from the querier lowers the timers") {
    M t;
    t.rep(kH1, v2(kG), t0);
    t.rep(kH1, v2(kG2), t0);
    t.take();
    Query q{Version::V2, kG, 10};  // Max Resp 1 s
    t.m.heard_query(kIf, q, t0 + 5s);
    CHECK(t.m.next_deadline() == t0 + 7s);  // RFC 2236 §3: LMQC x Max Resp
    SECTION("nobody answers") {
        t.expire(t0 + 7s);
        CHECK(t.take() == std::vector<Action>{GroupLeft{kIf, kG}});
        CHECK(t.m.find(kIf, kG2));
    }
    SECTION("a member answers") {
        t.rep(kH1, v2(kG), t0 + 6s);
        t.expire(t0 + 7s);
        CHECK(t.take().empty());
    }
    SECTION("general queries and suppressed ones change nothing") {
        M u;
        u.rep(kH1, v2(kG), t0);
        u.m.heard_query(kIf, Query{Version::V2, Ipv4(), 100}, t0 + 5s);
        Query s{Version::V3, kG, 10};
        s.suppress_router_side = true;
        u.m.heard_query(kIf, s, t0 + 5s);
        CHECK(u.m.next_deadline() == t0 + 260s);
    }
}

TEST_CASE("membership: interfaces are separate; upstream sees their union") {
    M t;
    t.rep(kH1, v3(RecordType::ModeIsExclude, kG, {kS1}), t0, kIf);
    t.rep(kH2, v3(RecordType::ModeIsInclude, kG, {kS1}), t0, kIf2);
    t.rep(kH2, v3(RecordType::ModeIsInclude, kG2, {kS2}), t0, kIf2);
    CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf2});
    CHECK(t.m.interested(kS3, kG) == std::vector<int>{kIf});
    CHECK(t.m.upstream_state(kG) == exc());  // RFC 4605 §4.1 merge
    CHECK(t.m.upstream_state(kG2) == inc({kS2}));
    CHECK(t.m.upstream_state(kG3) == inc({}));
    CHECK(t.m.upstream_states() == std::map<Ipv4, FilterState>{{kG, exc()}, {kG2, inc({kS2})}});
    t.take();
    // A leave on one interface does not touch the other.
    t.rep(kH1, v3(RecordType::ChangeToInclude, kG), t0 + 1s, kIf);
    t.expire(t0 + 3s);
    t.take();
    CHECK(t.m.interested(kS1, kG) == std::vector<int>{kIf2});
    CHECK(t.m.upstream_state(kG) == inc({kS1}));

    t.m.drop_interface(kIf2, t.out);
    CHECK(t.take() == std::vector<Action>{GroupLeft{kIf2, kG}, GroupLeft{kIf2, kG2}});
    CHECK(t.m.size() == 0);
    CHECK_FALSE(t.m.next_deadline());
}

TEST_CASE("membership: a late expire() catches up and stops") {
    M t;
    t.rep(kH1, v2(kG), t0);
    t.rep(kH2, v2(kG2), t0);
    t.leave(kH1, t0 + 1s);
    t.take();
    t.expire(t0 + 1000s);
    auto a = t.take();
    CHECK(std::count(a.begin(), a.end(), Action{GroupLeft{kIf, kG}}) == 1);
    CHECK(std::count(a.begin(), a.end(), Action{GroupLeft{kIf, kG2}}) == 1);
    CHECK(t.m.size() == 0);
}

TEST_CASE("membership: merge() is the union of what each state forwards") {
    CHECK(merge(inc({kS1}), inc({kS2})) == inc({kS1, kS2}));
    CHECK(merge(exc({kS1, kS2}), inc({kS2, kS3})) == exc({kS1}));
    CHECK(merge(inc({kS2}), exc({kS1, kS2})) == exc({kS1}));
    CHECK(merge(exc({kS1, kS2}), exc({kS2, kS3})) == exc({kS2}));
    CHECK(merge(inc({}), exc()) == exc());
    CHECK(inc({}).none());
    CHECK_FALSE(exc().none());
}
