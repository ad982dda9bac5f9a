// SPDX-License-Identifier: GPL-2.0-or-later
#include "checksum.h"

#include <array>
#include <catch2/catch.hpp>
#include <vector>

using namespace triplay;

TEST_CASE("RFC 1071 §3 example: sum ddf2, checksum 220d", "[checksum]") {
    const std::array<uint8_t, 8> data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    // 0001 + f203 + f4f5 + f6f7 = 2ddf0; the carry folded back gives ddf2.
    CHECK(checksum_add(0, data) == 0x2ddf0);
    CHECK(internet_checksum(data) == 0x220d);
}

// An IPv4 header (RFC 791) from a capture:
//   4500 0073  version 4, IHL 5, TOS 0, total length 115
//   0000 4000  id 0, flags DF, fragment offset 0
//   4011 b861  TTL 64, protocol 17 (UDP), header checksum b861
//   c0a8 0001  source 192.168.0.1
//   c0a8 00c7  destination 192.168.0.199
TEST_CASE("IPv4 header checksum computed and verified", "[checksum]") {
    std::array<uint8_t, 20> hdr{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    // A receiver sums the header including the checksum field: a valid header gives 0.
    CHECK(internet_checksum(hdr) == 0);
    // A sender computes it with the field zeroed.
    hdr[10] = hdr[11] = 0;
    CHECK(internet_checksum(hdr) == 0xb861);
    // One flipped bit is detected.
    hdr[10] = 0xb8;
    hdr[11] = 0x61;
    hdr[8] ^= 0x01;
    CHECK(internet_checksum(hdr) != 0);
}

TEST_CASE("odd length pads the last byte as the high half of a word", "[checksum]") {
    const std::array<uint8_t, 1> one{0x01};
    CHECK(checksum_add(0, one) == 0x0100);
    CHECK(internet_checksum(one) == 0xfeff);
    const std::array<uint8_t, 3> three{0x00, 0x01, 0xf2};
    CHECK(internet_checksum(three) == static_cast<uint16_t>(~(0x0001 + 0xf200)));
}

TEST_CASE("checksum over pieces of even length equals the checksum of the whole", "[checksum]") {
    const std::array<uint8_t, 8> data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    std::span<const uint8_t> all(data);
    uint32_t sum = checksum_add(0, all.first(4));
    sum = checksum_add(sum, all.subspan(4));
    CHECK(checksum_finish(sum) == 0x220d);
}

TEST_CASE("empty data has checksum ffff", "[checksum]") {
    CHECK(internet_checksum({}) == 0xffff);
}

TEST_CASE("a large buffer of ffff words does not overflow the running sum", "[checksum]") {
    std::vector<uint8_t> big(1 << 20, 0xff);  // 512 Ki words of ffff: over 2^32 unfolded
    uint32_t sum = checksum_add(0, big);
    CHECK(checksum_finish(sum) == 0x0000);
    // Feeding the same running sum again keeps it bounded and correct.
    CHECK(checksum_finish(checksum_add(sum, big)) == 0x0000);
    big[0] = 0xfe;  // subtract 0x0100 from one word
    CHECK(checksum_finish(checksum_add(0, big)) == 0x0100);
}

TEST_CASE("checksum_finish folds every carry", "[checksum]") {
    CHECK(checksum_finish(0xffffffff) == 0x0000);
    CHECK(checksum_finish(0x0001fffe) == 0x0000);  // fffe + 1 = ffff
    CHECK(checksum_finish(0x00000000) == 0xffff);
}
