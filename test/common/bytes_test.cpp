// SPDX-License-Identifier: GPL-2.0-or-later
#include "bytes.h"

#include <array>
#include <catch2/catch.hpp>
#include <vector>

using namespace triplay;

TEST_CASE("ByteReader reads big-endian integers and addresses in order", "[bytes]") {
    const std::array<uint8_t, 11> data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                       0x07, 0x0a, 0x80, 0x00, 0x01};
    ByteReader r(data);
    CHECK(r.u8() == 0x01);
    CHECK(r.u16() == 0x0203);
    CHECK(r.u32() == 0x04050607);
    CHECK(r.offset() == 7);
    CHECK(r.remaining() == 4);
    CHECK(r.ipv4() == Ipv4(10, 128, 0, 1));
    CHECK(r.at_end());
    CHECK(r.ok());
}

TEST_CASE("ByteReader failure is sticky: nothing is read after a short read", "[bytes]") {
    const std::array<uint8_t, 3> data{0xaa, 0xbb, 0xcc};
    ByteReader r(data);
    CHECK(r.u32() == 0);  // needs 4, has 3
    CHECK_FALSE(r.ok());
    CHECK(r.remaining() == 0);
    CHECK(r.at_end());
    // Three bytes are physically there, but after a fault nothing is trusted.
    CHECK(r.u8() == 0);
    CHECK(r.u16() == 0);
    CHECK(r.bytes(1).empty());
    CHECK(r.rest().empty());
    CHECK_FALSE(r.ok());
}

TEST_CASE("ByteReader::bytes returns exactly n bytes or fails", "[bytes]") {
    const std::array<uint8_t, 5> data{1, 2, 3, 4, 5};
    ByteReader r(data);
    auto two = r.bytes(2);
    REQUIRE(two.size() == 2);
    CHECK(two[0] == 1);
    CHECK(two[1] == 2);
    CHECK(r.bytes(0).empty());
    CHECK(r.ok());
    CHECK(r.bytes(4).empty());  // only 3 left
    CHECK_FALSE(r.ok());
}

TEST_CASE("ByteReader::bytes with a huge count fails instead of overflowing", "[bytes]") {
    const std::array<uint8_t, 4> data{1, 2, 3, 4};
    ByteReader r(data);
    r.u8();
    CHECK(r.bytes(SIZE_MAX).empty());
    CHECK_FALSE(r.ok());
}

TEST_CASE("ByteReader::sub reads a bounded region and the parent skips it", "[bytes]") {
    const std::array<uint8_t, 6> data{0x00, 0x02, 0xde, 0xad, 0xbe, 0xef};
    ByteReader r(data);
    uint16_t len = r.u16();
    ByteReader sub = r.sub(len);
    CHECK(sub.u16() == 0xdead);
    CHECK(sub.at_end());
    CHECK(sub.u8() == 0);  // may not read past its region into the parent's bytes
    CHECK_FALSE(sub.ok());
    CHECK(r.ok());
    CHECK(r.u16() == 0xbeef);
    CHECK(r.at_end());
}

TEST_CASE("ByteReader::sub beyond the data fails both readers", "[bytes]") {
    const std::array<uint8_t, 3> data{1, 2, 3};
    ByteReader r(data);
    ByteReader sub = r.sub(4);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(sub.ok());
    CHECK(sub.remaining() == 0);
}

TEST_CASE("ByteReader::sub of an already failed reader is failed", "[bytes]") {
    const std::array<uint8_t, 3> data{1, 2, 3};
    ByteReader r(data);
    r.u32();
    ByteReader sub = r.sub(0);
    CHECK_FALSE(sub.ok());
}

TEST_CASE("ByteReader::skip and rest", "[bytes]") {
    const std::array<uint8_t, 4> data{9, 8, 7, 6};
    ByteReader r(data);
    r.skip(1);
    auto rest = r.rest();
    REQUIRE(rest.size() == 3);
    CHECK(rest[0] == 8);
    CHECK(r.at_end());
    CHECK(r.ok());
    r.skip(1);
    CHECK_FALSE(r.ok());
}

TEST_CASE("ByteWriter writes big-endian values", "[bytes]") {
    std::array<uint8_t, 16> buf{};
    ByteWriter w(buf);
    w.u8(0x01);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.ipv4(Ipv4(192, 168, 1, 2));
    const std::array<uint8_t, 2> raw{0xfe, 0xff};
    w.bytes(raw);
    w.zeros(2);
    REQUIRE(w.ok());
    CHECK(w.size() == 15);
    CHECK(w.capacity_left() == 1);
    const std::vector<uint8_t> expect{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 192,
                                      168,  1,    2,    0xfe, 0xff, 0x00, 0x00};
    auto out = w.written();
    CHECK(std::vector<uint8_t>(out.begin(), out.end()) == expect);
}

TEST_CASE("ByteWriter overflow is sticky and writes nothing partial", "[bytes]") {
    std::array<uint8_t, 3> buf{0x11, 0x22, 0x33};
    ByteWriter w(buf);
    w.u32(0xaabbccdd);
    CHECK_FALSE(w.ok());
    CHECK(w.size() == 0);
    CHECK(buf == std::array<uint8_t, 3>{0x11, 0x22, 0x33});
    w.u8(0x44);  // would fit, but the writer has failed
    CHECK(w.size() == 0);
    CHECK(buf[0] == 0x11);
}

TEST_CASE("ByteWriter::patch_u16 overwrites written bytes only", "[bytes]") {
    std::array<uint8_t, 8> buf{};
    ByteWriter w(buf);
    w.u16(0);
    w.u16(0x1234);
    w.patch_u16(0, 0xbeef);
    REQUIRE(w.ok());
    CHECK(buf[0] == 0xbe);
    CHECK(buf[1] == 0xef);
    CHECK(buf[2] == 0x12);

    w.patch_u16(3, 0xffff);  // would cover one written and one unwritten byte
    CHECK_FALSE(w.ok());
    CHECK(buf[4] == 0);
}

TEST_CASE("ByteWriter::patch_u16 past the written size fails", "[bytes]") {
    std::array<uint8_t, 8> buf{};
    ByteWriter w(buf);
    w.u8(1);
    w.patch_u16(6, 0xffff);
    CHECK_FALSE(w.ok());
    CHECK(buf[6] == 0);
}
