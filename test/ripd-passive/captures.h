// SPDX-License-Identifier: GPL-2.0-or-later
// RIP packets captured from BIRD 2.0.12 (tcpdump on a veth, UDP payload only), with the
// tcpdump -vv decode beside each. Key "secret", key id 1 for MD5; "plainpw" for plain text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ripd::test {

inline std::vector<uint8_t> unhex(std::string_view h) {
    std::vector<uint8_t> out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        if (h[i] == ' ') { --i; continue; }
        out.push_back(static_cast<uint8_t>(nib(h[i]) << 4 | nib(h[i + 1])));
    }
    return out;
}

// 10.128.2.1.520 > 224.0.0.9.520: RIPv2, Response, length: 64
//   AFI IPv4, 172.26.23.4/32, tag 0x0000, metric: 1, next-hop: self
//   AFI IPv4, 172.26.22.0/26, tag 0x0000, metric: 1, next-hop: self
//   AFI IPv4, 172.26.80.0/21, tag 0x0000, metric: 1, next-hop: self
inline constexpr std::string_view kBirdResponse =
    "02020000"
    "00020000ac1a1704ffffffff0000000000000001"
    "00020000ac1a1600ffffffc00000000000000001"
    "00020000ac1a5000fffff8000000000000000001";

// 10.128.2.1.520 > 224.0.0.9.520: RIPv2, Request, length: 24
//   AFI 0, 0.0.0.0/0, tag 0x0000, metric: 16, next-hop: self   (whole-table request)
inline constexpr std::string_view kBirdRequest = "010200000000000000000000000000000000000000000010";

// 10.128.4.1.520 > 224.0.0.9.520: RIPv2, Response, length: 84
//   Simple Text Authentication data: plainpw
//   (same three routes as above)
inline constexpr std::string_view kBirdPlainResponse =
    "02020000"
    "ffff0002706c61696e7077000000000000000000"
    "00020000ac1a1704ffffffff0000000000000001"
    "00020000ac1a1600ffffffc00000000000000001"
    "00020000ac1a5000fffff8000000000000000001";

// 10.128.3.1.520 > 224.0.0.9.520: RIPv2, Response, length: 104
//   Auth header: Packet Len 84, Key-ID 1, Auth Data Len 20, SeqNo 1795559193, MBZ 0, MBZ 0
//   (same three routes)
//   Auth trailer: b257fb7fc50f6c2aaca41c167a58eee6
inline constexpr std::string_view kBirdMd5Response =
    "02020000"
    "ffff0003005401146b060f190000000000000000"
    "00020000ac1a1704ffffffff0000000000000001"
    "00020000ac1a1600ffffffc00000000000000001"
    "00020000ac1a5000fffff8000000000000000001"
    "ffff0001b257fb7fc50f6c2aaca41c167a58eee6";

// 10.128.3.1.520 > 224.0.0.9.520: RIPv2, Request, length: 64
//   Auth header: Packet Len 44, Key-ID 1, Auth Data Len 20, SeqNo 0
//   AFI 0, 0.0.0.0/0, metric: 16
//   Auth trailer: f56c2facd216153783007bff5babb7c6
inline constexpr std::string_view kBirdMd5Request =
    "01020000ffff0003002c011400000000000000000000000000000000000000000000000000000000"
    "00000010ffff0001f56c2facd216153783007bff5babb7c6";

}  // namespace ripd::test
