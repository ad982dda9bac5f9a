// SPDX-License-Identifier: GPL-2.0-or-later
#include "net_types.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

namespace triplay {

namespace {

// Parses a decimal number in [0, max] covering all of s; no sign, no leading zeros beyond "0".
std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Ipv4> Ipv4::parse(std::string_view s) {
    uint32_t v = 0;
    for (int part = 0; part < 4; ++part) {
        size_t dot = s.find('.');
        if ((part < 3) != (dot != std::string_view::npos)) return std::nullopt;
        auto n = parse_decimal(s.substr(0, dot), 255);
        if (!n) return std::nullopt;
        v = v << 8 | *n;
        s = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    }
    return Ipv4(v);
}

Ipv4 Ipv4::from_in_addr(in_addr a) { return Ipv4(ntohl(a.s_addr)); }

in_addr Ipv4::to_in_addr() const { return in_addr{htonl(m_v)}; }

std::string Ipv4::to_string() const {
    return fmt::format("{}.{}.{}.{}", m_v >> 24, (m_v >> 16) & 0xff, (m_v >> 8) & 0xff, m_v & 0xff);
}

std::optional<Prefix4> Prefix4::parse(std::string_view s, HostBits hb) {
    size_t slash = s.find('/');
    auto addr = Ipv4::parse(s.substr(0, slash));
    if (!addr) return std::nullopt;
    unsigned len = 32;
    if (slash != std::string_view::npos) {
        auto n = parse_decimal(s.substr(slash + 1), 32);
        if (!n) return std::nullopt;
        len = *n;
    }
    Prefix4 p(*addr, static_cast<uint8_t>(len));
    if (hb == HostBits::Reject && p.addr() != *addr) return std::nullopt;
    return p;
}

std::optional<uint8_t> Prefix4::mask_to_len(Ipv4 mask) {
    uint32_t m = mask.value();
    // Contiguous iff the inverted mask plus one is a power of two (or zero for /0).
    uint32_t inv = ~m;
    if ((inv & (inv + 1)) != 0) return std::nullopt;
    return static_cast<uint8_t>(__builtin_popcount(m));
}

std::string Prefix4::to_string() const { return fmt::format("{}/{}", m_addr.to_string(), m_len); }

std::optional<Mac> Mac::parse(std::string_view s) {
    if (s.size() != 17) return std::nullopt;
    std::array<uint8_t, 6> b{};
    for (size_t i = 0; i < 6; ++i) {
        int hi = hex_digit(s[i * 3]), lo = hex_digit(s[i * 3 + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-') return std::nullopt;
        b[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return Mac(b);
}

std::string Mac::to_string() const {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m_b[0], m_b[1], m_b[2], m_b[3],
                       m_b[4], m_b[5]);
}

bool Mac::is_broadcast() const {
    for (auto x : m_b)
        if (x != 0xff) return false;
    return true;
}

}  // namespace triplay
