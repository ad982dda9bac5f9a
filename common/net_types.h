// SPDX-License-Identifier: GPL-2.0-or-later
// Value types for addresses. Ipv4 holds the address in host order; conversions to and from
// network order happen only at the socket boundary (to_in_addr / from_in_addr).
#pragma once

#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace triplay {

class Ipv4 {
public:
    constexpr Ipv4() = default;
    constexpr explicit Ipv4(uint32_t host_order) : m_v(host_order) {}
    constexpr Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
        : m_v(uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d) {}

    // Strict dotted quad: four decimal parts 0..255, no leading '+', no trailing junk.
    static std::optional<Ipv4> parse(std::string_view s);
    static Ipv4 from_in_addr(in_addr a);
    in_addr to_in_addr() const;

    constexpr uint32_t value() const { return m_v; }
    std::string to_string() const;

    constexpr bool is_unspecified() const { return m_v == 0; }
    constexpr bool is_loopback() const { return (m_v >> 24) == 127; }
    constexpr bool is_multicast() const { return (m_v >> 28) == 0xe; }
    constexpr bool is_link_local() const { return (m_v >> 16) == 0xa9fe; }  // 169.254/16
    constexpr bool is_broadcast() const { return m_v == 0xffffffff; }
    constexpr bool is_class_e() const { return (m_v >> 28) == 0xf; }  // 240/4, reserved

    constexpr auto operator<=>(const Ipv4&) const = default;

private:
    uint32_t m_v = 0;
};

class Prefix4 {
public:
    constexpr Prefix4() = default;
    // Host bits of addr are cleared, so 10.1.2.3/8 and 10.0.0.0/8 are the same prefix.
    constexpr Prefix4(Ipv4 addr, uint8_t len)
        : m_addr(Ipv4(addr.value() & mask_of(len))), m_len(len > 32 ? 32 : len) {}

    // "a.b.c.d/n" or a bare address (/32). Rejects host bits set unless allow_host_bits.
    enum class HostBits { Reject, Allow };
    static std::optional<Prefix4> parse(std::string_view s, HostBits hb = HostBits::Reject);
    // The prefix length of a contiguous netmask (255.255.255.0 -> 24); nullopt otherwise.
    static std::optional<uint8_t> mask_to_len(Ipv4 mask);

    constexpr Ipv4 addr() const { return m_addr; }
    constexpr uint8_t len() const { return m_len; }
    constexpr Ipv4 mask() const { return Ipv4(mask_of(m_len)); }
    constexpr bool contains(Ipv4 a) const { return (a.value() & mask_of(m_len)) == m_addr.value(); }
    constexpr bool contains(const Prefix4& p) const { return p.m_len >= m_len && contains(p.m_addr); }
    std::string to_string() const;

    constexpr auto operator<=>(const Prefix4&) const = default;

    static constexpr uint32_t mask_of(uint8_t len) {
        return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1);
    }

private:
    Ipv4 m_addr;
    uint8_t m_len = 0;
};

// An address configured on an interface together with its subnet (10.214.1.2/9).
struct IfAddr4 {
    Ipv4 addr;
    uint8_t len = 32;
    Prefix4 subnet() const { return Prefix4(addr, len); }
    bool operator==(const IfAddr4&) const = default;
};

class Mac {
public:
    constexpr Mac() = default;
    constexpr explicit Mac(std::array<uint8_t, 6> b) : m_b(b) {}
    // "aa:bb:cc:dd:ee:ff" (also '-' separated), case-insensitive.
    static std::optional<Mac> parse(std::string_view s);
    const std::array<uint8_t, 6>& bytes() const { return m_b; }
    std::string to_string() const;
    bool is_broadcast() const;
    bool is_multicast() const { return m_b[0] & 1; }
    auto operator<=>(const Mac&) const = default;

private:
    std::array<uint8_t, 6> m_b{};
};

}  // namespace triplay

template <>
struct std::hash<triplay::Ipv4> {
    size_t operator()(triplay::Ipv4 a) const noexcept { return std::hash<uint32_t>{}(a.value()); }
};
template <>
struct std::hash<triplay::Prefix4> {
    size_t operator()(const triplay::Prefix4& p) const noexcept {
        return std::hash<uint64_t>{}(uint64_t{p.addr().value()} << 8 | p.len());
    }
};
