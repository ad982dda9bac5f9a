// SPDX-License-Identifier: GPL-2.0-or-later
#include "rip_codec.h"

#include <algorithm>

namespace ripd {

using triplay::ByteReader;
using triplay::ByteWriter;

std::string_view to_string(ParseError e) {
    switch (e) {
        case ParseError::Truncated: return "truncated";
        case ParseError::BadLength: return "length not 4 + 20*n";
        case ParseError::BadAuthLength: return "RFC 4822 packet length out of range";
        case ParseError::BadAuthTrailer: return "RFC 4822 trailer missing";
    }
    return "?";
}

namespace {

Rte read_rte(ByteReader& r) {
    Rte e;
    e.afi = r.u16();
    e.tag = r.u16();
    e.addr = r.ipv4();
    e.mask = r.ipv4();
    e.next_hop = r.ipv4();
    e.metric = r.u32();
    return e;
}

}  // namespace

tl::expected<Packet, ParseError> parse(std::span<const uint8_t> datagram) {
    ByteReader r(datagram);
    Packet p;
    p.command = r.u8();
    p.version = r.u8();
    p.must_be_zero = r.u16();
    if (!r.ok()) return tl::unexpected(ParseError::Truncated);
    // RFC 2453 §4: the body is a whole number of 20-byte entries. The RFC 4822 trailer is
    // also 20 bytes for MD5, so this holds for authenticated packets too.
    if (r.remaining() % kRteSize != 0) return tl::unexpected(ParseError::BadLength);

    size_t routes_end = datagram.size();
    // RFC 2453 §4.1 / RFC 4822 §2.1: authentication takes the place of the first entry.
    if (r.remaining() >= kRteSize) {
        ByteReader peek = ByteReader(datagram.subspan(kHeaderSize));
        if (peek.u16() == kAfiAuth) {
            ByteReader a = r.sub(kRteSize);
            a.skip(2);
            uint16_t type = a.u16();
            if (type == kAuthPlain) {
                AuthPlain pw;
                auto b = a.bytes(16);
                std::copy(b.begin(), b.end(), pw.password.begin());
                p.auth = pw;
            } else if (type == kAuthCrypto) {
                AuthCrypto c;
                c.packet_length = a.u16();
                c.key_id = a.u8();
                c.auth_data_len = a.u8();
                c.sequence = a.u32();
                // RFC 4822 §2.1: 8 reserved bytes follow; they must be zero but BIRD and
                // Quagga ignore them, and so do we.
                // The trailer (RFC 4822 §2.2) starts at packet_length: 0xffff 0x0001 digest.
                size_t trailer = c.packet_length;
                if (trailer < kHeaderSize + kRteSize || (trailer - kHeaderSize) % kRteSize != 0 ||
                    trailer + 4 + kMd5Len != datagram.size())
                    return tl::unexpected(ParseError::BadAuthLength);
                ByteReader t(datagram.subspan(trailer));
                if (t.u16() != kAfiAuth || t.u16() != kAuthTrailer)
                    return tl::unexpected(ParseError::BadAuthTrailer);
                auto d = t.bytes(kMd5Len);
                std::copy(d.begin(), d.end(), c.digest.begin());
                p.auth = c;
                routes_end = trailer;
            } else {
                p.auth = AuthOther{type};
            }
        }
    }
    ByteReader routes(datagram.subspan(r.offset(), routes_end - r.offset()));
    p.entries.reserve(routes.remaining() / kRteSize);
    while (routes.remaining() >= kRteSize) p.entries.push_back(read_rte(routes));
    return p;
}

bool serialize(const Packet& p, ByteWriter& out) {
    size_t start = out.size();
    out.u8(p.command);
    out.u8(p.version);
    out.u16(p.must_be_zero);
    const auto* crypto = std::get_if<AuthCrypto>(&p.auth);
    if (const auto* pw = std::get_if<AuthPlain>(&p.auth)) {
        out.u16(kAfiAuth);
        out.u16(kAuthPlain);
        out.bytes(pw->password);
    } else if (crypto) {
        out.u16(kAfiAuth);
        out.u16(kAuthCrypto);
        out.u16(static_cast<uint16_t>(kHeaderSize + kRteSize * (1 + p.entries.size())));
        out.u8(crypto->key_id);
        out.u8(crypto->auth_data_len);
        out.u32(crypto->sequence);
        out.zeros(8);
    } else if (const auto* other = std::get_if<AuthOther>(&p.auth)) {
        out.u16(kAfiAuth);
        out.u16(other->type);
        out.zeros(16);
    }
    for (const auto& e : p.entries) {
        out.u16(e.afi);
        out.u16(e.tag);
        out.ipv4(e.addr);
        out.ipv4(e.mask);
        out.ipv4(e.next_hop);
        out.u32(e.metric);
    }
    if (crypto) {
        out.u16(kAfiAuth);
        out.u16(kAuthTrailer);
        out.bytes(crypto->digest);
    }
    return out.ok() && out.size() > start;
}

}  // namespace ripd
