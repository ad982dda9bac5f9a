// SPDX-License-Identifier: GPL-2.0-or-later
// The querier of one downstream interface (RFC 3376 §6.6, RFC 2236 §3): startup queries,
// then general queries every Query Interval, and querier election (the lowest address
// wins; back off while the winner is heard). Pure: transitions take `now`, return Actions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "igmp_types.h"

namespace igmp {

class Querier {
public:
    struct Config {
        Version version = Version::V3;  // of the general queries we send
        Timers timers;
    };

    enum class State {
        Idle,        // no address (or not started): nothing to send from
        Startup,     // querier, sending Startup Query Count queries (RFC 3376 §8.6, §8.7)
        Querier,     // querier, a general query every Query Interval
        NonQuerier,  // a router with a lower address queries; we wait for it to go silent
    };

    Querier(int ifindex, Config c) : m_ifindex(ifindex), m_cfg(c) {}
    // New timers apply from the next query sent or heard.
    void set_config(Config c) { m_cfg = c; }

    // Our address on the interface: set, changed, or gone (0.0.0.0). From Idle a usable
    // address starts the startup queries.
    void set_address(Ipv4 address, TimePoint now, std::vector<Action>& out);
    // A query heard on the interface from `source` (RFC 3376 §6.6.2 election).
    void heard_query(Ipv4 source, const Query& q, TimePoint now, std::vector<Action>& out);
    // The interface went down: silent until an address is set again.
    void stop(std::vector<Action>& out);

    void expire(TimePoint now, std::vector<Action>& out);
    std::optional<TimePoint> next_deadline() const;

    State state() const { return m_state; }
    bool is_querier() const { return m_state == State::Startup || m_state == State::Querier; }
    Ipv4 address() const { return m_address; }
    Ipv4 other_querier() const { return m_other; }  // while NonQuerier

private:
    void send_general(std::vector<Action>& out);
    void become_querier(TimePoint now, std::vector<Action>& out);

    int m_ifindex;
    Config m_cfg;
    State m_state = State::Idle;
    Ipv4 m_address;
    Ipv4 m_other;
    unsigned m_startup_left = 0;  // startup queries still to send after the next one
    TimePoint m_next{};           // next general query (Startup, Querier) or
                                  // Other Querier Present timeout (NonQuerier)
};

std::string_view to_string(Querier::State s);

}  // namespace igmp
