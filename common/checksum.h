// SPDX-License-Identifier: GPL-2.0-or-later
// The internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words.
#pragma once

#include <cstdint>
#include <span>

namespace triplay {

// Adds data to a running 32-bit sum (odd length padded with a zero byte, RFC 1071 §4.1).
uint32_t checksum_add(uint32_t sum, std::span<const uint8_t> data);
// Folds the carries and complements: the value to put in the header.
uint16_t checksum_finish(uint32_t sum);
inline uint16_t internet_checksum(std::span<const uint8_t> data) {
    return checksum_finish(checksum_add(0, data));
}

}  // namespace triplay
