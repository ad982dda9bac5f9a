// SPDX-License-Identifier: GPL-2.0-or-later
#include "rip_auth.h"

#include <nettle/md5.h>
#include <nettle/memops.h>

#include <algorithm>

namespace ripd {

std::array<uint8_t, kMd5Len> md5_digest(std::span<const uint8_t> covered,
                                        const std::array<uint8_t, 16>& key) {
    md5_ctx ctx;
    md5_init(&ctx);
    md5_update(&ctx, covered.size(), covered.data());
    md5_update(&ctx, key.size(), key.data());
    std::array<uint8_t, kMd5Len> out{};
    md5_digest(&ctx, out.size(), out.data());
    return out;
}

bool md5_sign(std::span<uint8_t> datagram, const std::array<uint8_t, 16>& key) {
    auto p = parse(datagram);
    if (!p) return false;
    const auto* c = std::get_if<AuthCrypto>(&p->auth);
    if (!c) return false;
    size_t covered = size_t{c->packet_length} + 4;
    auto d = md5_digest(datagram.first(covered), key);
    std::copy(d.begin(), d.end(), datagram.begin() + static_cast<std::ptrdiff_t>(covered));
    return true;
}

AuthVerdict check_auth(const AuthConfig& cfg, const Packet& p, std::span<const uint8_t> datagram) {
    switch (cfg.mode) {
        case AuthMode::None:
            return AuthVerdict::Ok;
        case AuthMode::Plain: {
            const auto* pw = std::get_if<AuthPlain>(&p.auth);
            if (!pw) return std::holds_alternative<std::monostate>(p.auth) ? AuthVerdict::Missing
                                                                            : AuthVerdict::Failed;
            return memeql_sec(pw->password.data(), cfg.key.data(), cfg.key.size())
                       ? AuthVerdict::Ok
                       : AuthVerdict::Failed;
        }
        case AuthMode::Md5: {
            const auto* c = std::get_if<AuthCrypto>(&p.auth);
            if (!c) return std::holds_alternative<std::monostate>(p.auth) ? AuthVerdict::Missing
                                                                           : AuthVerdict::Failed;
            // RFC 4822 §2.1: 20 is the trailer length; old Quagga put 16 (digest only).
            if (c->key_id != cfg.key_id || (c->auth_data_len != 20 && c->auth_data_len != 16))
                return AuthVerdict::Failed;
            size_t covered = size_t{c->packet_length} + 4;
            if (covered + kMd5Len != datagram.size()) return AuthVerdict::Failed;
            auto want = md5_digest(datagram.first(covered), cfg.key);
            return memeql_sec(want.data(), c->digest.data(), want.size()) ? AuthVerdict::Ok
                                                                          : AuthVerdict::Failed;
        }
    }
    return AuthVerdict::Failed;
}

bool ReplayGuard::accept(int ifindex, Ipv4 sender, uint32_t sequence, Clock::time_point now,
                         Clock::duration forget_after) {
    auto key = std::make_pair(ifindex, sender);
    auto it = m_last.find(key);
    if (it != m_last.end() && now - it->second.seen < forget_after) {
        // RFC 1982 serial comparison: behind by less than 2^31 means older.
        if (static_cast<int32_t>(sequence - it->second.sequence) < 0) return false;
        it->second = {sequence, now};
        return true;
    }
    if (it == m_last.end() && m_last.size() >= kMaxNeighbors) {
        // Only authenticated neighbours get here, so this is a bound, not a defence: forget
        // the longest-silent one.
        auto oldest = std::min_element(m_last.begin(), m_last.end(), [](auto& a, auto& b) {
            return a.second.seen < b.second.seen;
        });
        m_last.erase(oldest);
    }
    m_last[key] = {sequence, now};
    return true;
}

}  // namespace ripd
