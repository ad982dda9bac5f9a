// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for igmpproxyd's codec: the input as a whole raw-socket datagram and as a bare
// IGMP message, and that message again with its checksum made right so that mutations reach
// the record and source parsing instead of stopping at the checksum. Whatever parses must
// serialise and read back the same (abort otherwise); the exponential codes must round-trip.
#include <cstdlib>
#include <type_traits>
#include <vector>

#include "checksum.h"
#include "igmp_codec.h"

namespace {

void round_trip(const igmp::Message& m, size_t in_size) {
    if (std::holds_alternative<igmp::Other>(m)) return;  // not ours to write
    // Parsed messages only lose bytes (extra data, aux data, unknown records): the input size
    // is room enough.
    std::vector<uint8_t> out(in_size);
    triplay::ByteWriter w(out);
    bool ok = std::visit(
        [&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, igmp::Other>)
                return false;
            else
                return igmp::serialize(v, w);
        },
        m);
    if (!ok) std::abort();  // a message we parsed but cannot write: our bug
    auto again = igmp::parse_message(w.written());
    if (!again || !(*again == m)) std::abort();
    if (const auto* q = std::get_if<igmp::Query>(&m)) {
        (void)igmp::max_resp_time(*q);
        (void)igmp::query_interval(*q);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> in(data, size);
    if (auto d = igmp::parse_datagram(in)) {
        if (d->ip.header_len < 20 || d->ip.header_len > size) std::abort();
        round_trip(d->msg, size);
    }
    if (auto m = igmp::parse_message(in)) round_trip(*m, size);

    if (size >= 4) {
        std::vector<uint8_t> fixed(in.begin(), in.end());
        fixed[2] = fixed[3] = 0;
        uint16_t sum = triplay::internet_checksum(fixed);
        fixed[2] = static_cast<uint8_t>(sum >> 8);
        fixed[3] = static_cast<uint8_t>(sum);
        auto m = igmp::parse_message(fixed);
        if (!m && size >= 8 && m.error() == igmp::ParseError::BadChecksum) std::abort();
        if (m) round_trip(*m, size);
    }

    if (size > 0) {
        uint8_t code = data[0];
        if (igmp::encode_exp_code(igmp::decode_exp_code(code)) != code) std::abort();
    }
    if (size >= 4) {
        uint32_t v =
            uint32_t{data[0]} << 24 | uint32_t{data[1]} << 16 | uint32_t{data[2]} << 8 | data[3];
        if (igmp::decode_exp_code(igmp::encode_exp_code(v)) > v) std::abort();
    }
    return 0;
}
