// SPDX-License-Identifier: GPL-2.0-or-later
#include "querier.h"

namespace igmp {

std::string_view to_string(Querier::State s) {
    switch (s) {
        case Querier::State::Idle:
            return "idle";
        case Querier::State::Startup:
            return "startup";
        case Querier::State::Querier:
            return "querier";
        case Querier::State::NonQuerier:
            return "non-querier";
    }
    return "unknown";
}

void Querier::send_general(std::vector<Action>& out) {
    // RFC 3376 §6.6.3 / RFC 2236 §3: to 224.0.0.1, Max Resp = Query Response Interval.
    emit<SendGeneralQuery>(out, m_ifindex, m_cfg.version, m_cfg.timers.query_response);
}

void Querier::become_querier(TimePoint now, std::vector<Action>& out) {
    // RFC 3376 §6.6.2: when the Other Querier Present timer expires (or we now have the
    // lowest address) we query again: at once, then every Query Interval.
    m_state = State::Querier;
    emit<BecameQuerier>(out, m_ifindex, m_address);
    send_general(out);
    m_next = now + m_cfg.timers.query_interval;
}

void Querier::set_address(Ipv4 address, TimePoint now, std::vector<Action>& out) {
    m_address = address;
    if (address.is_unspecified()) {
        stop(out);
        return;
    }
    switch (m_state) {
        case State::Idle: {
            // RFC 3376 §6.6.2: a router starts as querier; RFC 3376 §8.6/§8.7: Startup Query
            // Count general queries, Startup Query Interval apart, so new members are found
            // fast.
            m_state = State::Startup;
            emit<BecameQuerier>(out, m_ifindex, m_address);
            send_general(out);
            m_startup_left = m_cfg.timers.startup_query_count() - 1;
            if (m_startup_left == 0) {
                m_state = State::Querier;
                m_next = now + m_cfg.timers.query_interval;
            } else {
                m_next = now + m_cfg.timers.startup_query_interval();
            }
            break;
        }
        case State::NonQuerier:
            // RFC 3376 §6.6.2: the lowest address is the querier. Ours is now lower than the
            // winner's: query, and the other router backs off when it hears us.
            if (address < m_other) become_querier(now, out);
            break;
        case State::Startup:
        case State::Querier:
            break;  // the next queries simply come from the new address
    }
}

void Querier::stop(std::vector<Action>& out) {
    if (is_querier()) emit<LostQuerier>(out, m_ifindex, Ipv4{});
    m_state = State::Idle;
    m_address = Ipv4{};
    m_other = Ipv4{};
}

void Querier::heard_query(Ipv4 source, const Query& q, TimePoint now, std::vector<Action>& out) {
    if (m_state == State::Idle) return;
    // Our own query looped back, or an IGMP-snooping switch's proxy query from 0.0.0.0
    // (RFC 4541 §2.1.1): neither takes part in the election.
    if (source.is_unspecified() || source == m_address) return;
    // RFC 3376 §7.3.1: an older-version querier on the link is a configuration problem.
    if (q.version < m_cfg.version) emit<OlderQuerierHeard>(out, m_ifindex, source, q.version);
    // RFC 3376 §6.6.2 / RFC 2236 §3: a query from a lower address wins the election; we stay
    // silent for the Other Querier Present Interval (§8.5) after the last one heard.
    if (source < m_address) {
        if (is_querier()) emit<LostQuerier>(out, m_ifindex, source);
        m_state = State::NonQuerier;
        m_other = source;
        m_next = now + m_cfg.timers.other_querier_present_interval();
    }
}

void Querier::expire(TimePoint now, std::vector<Action>& out) {
    if (m_state == State::Idle || m_next > now) return;
    switch (m_state) {
        case State::Startup:
            send_general(out);
            if (m_startup_left > 0) --m_startup_left;
            if (m_startup_left == 0) {
                m_state = State::Querier;
                m_next = now + m_cfg.timers.query_interval;
            } else {
                m_next = now + m_cfg.timers.startup_query_interval();
            }
            break;
        case State::Querier:
            // RFC 3376 §6.6.2 / §8.2: a general query every Query Interval.
            send_general(out);
            m_next = now + m_cfg.timers.query_interval;
            break;
        case State::NonQuerier:
            m_other = Ipv4{};
            become_querier(now, out);
            break;
        case State::Idle:
            break;
    }
}

std::optional<TimePoint> Querier::next_deadline() const {
    if (m_state == State::Idle) return std::nullopt;
    return m_next;
}

}  // namespace igmp
