// SPDX-License-Identifier: GPL-2.0-or-later
#include "checksum.h"

namespace triplay {

uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data) {
    // RFC 1071 §4.1: sum 16-bit big-endian words; a trailing odd byte is the high half of a
    // word padded with zero. The 64-bit accumulator cannot overflow for any span that fits in
    // memory; the carries are folded back so the running sum always fits in 32 bits.
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2) acc += uint32_t{data[i]} << 8 | data[i + 1];
    if (i < data.size()) acc += uint32_t{data[i]} << 8;
    while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
    return static_cast<uint32_t>(acc);
}

uint16_t checksum_finish(uint32_t sum) {
    // RFC 1071 §4.1: fold the 32-bit sum to 16 bits by adding the carries back (end-around
    // carry), then take the one's complement.
    while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

}  // namespace triplay
