// SPDX-License-Identifier: GPL-2.0-or-later
// IGMP datagrams captured from Linux 6.18 on a veth pair between two network namespaces: a
// host 10.99.0.2 joining and leaving with python sockets (IP_ADD_MEMBERSHIP,
// IP_ADD_SOURCE_MEMBERSHIP, IP_BLOCK_SOURCE, close), its version forced with
// net.ipv4.conf.<if>.force_igmp_version, and 10.99.0.1 a bridge with the kernel's IGMP querier
// (mcast_querier 1, mcast_igmp_version 2 or 3). tcpdump -w on the router side; the IP datagram
// cut out of each Ethernet frame. An MRT_INIT raw IPPROTO_IGMP socket on the router side read
// the same bytes: Linux delivers the header as on the wire. Each fixture is IP header (20) +
// Router Alert option (4) + IGMP message, with the tcpdump -vv decode above it; every packet
// had "IP (tos 0xc0, ttl 1, id 0, offset 0, flags [DF], proto IGMP (2), options (RA))".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace igmp::test {

inline std::vector<uint8_t> unhex(std::string_view h) {
    std::vector<uint8_t> out;
    auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        if (h[i] == ' ') {
            --i;
            continue;
        }
        out.push_back(static_cast<uint8_t>(nib(h[i]) << 4 | nib(h[i + 1])));
    }
    return out;
}

// --- host side, force_igmp_version=1 / 2 ---

// 10.99.0.2 > 239.0.1.5: igmp v1 report 239.0.1.5   (length 32)
inline constexpr std::string_view kV1Report =
    "46c00020000040000102e9ad0a630002ef000105 94040000 "
    "1200fdf9ef000105";

// 10.99.0.2 > 239.0.1.1: igmp v2 report 239.0.1.1   (length 32)
inline constexpr std::string_view kV2Report =
    "46c00020000040000102e9b10a630002ef000101 94040000 "
    "1600f9fdef000101";

// 10.99.0.2 > 224.0.0.2: igmp leave 239.0.1.1   (length 32)
inline constexpr std::string_view kV2Leave =
    "46c00020000040000102f9b00a630002e0000002 94040000 "
    "1700f8fdef000101";

// --- bridge querier, mcast_igmp_version 2 ---

// 10.99.0.1 > 224.0.0.1: igmp query v2 [max resp time 20]   (length 32)
inline constexpr std::string_view kV2GeneralQuery =
    "46c00020000040000102f9b20a630001e0000001 94040000 "
    "1114eeeb00000000";

// 10.99.0.1 > 224.0.0.1: igmp query v2 [max resp time 5] [gaddr 239.0.1.7]   (length 32)
// (after the host's leave; Linux's bridge sends it to all-systems, not to the group)
inline constexpr std::string_view kV2GroupQuery =
    "46c00020000040000102f9b20a630001e0000001 94040000 "
    "1105fef2ef000107";

// --- bridge querier, mcast_igmp_version 3 ---

// 10.99.0.1 > 224.0.0.1: igmp query v3 [max resp time 2.0s]   (length 36)
//   S 0, QRV 2, QQIC 3, no sources
inline constexpr std::string_view kV3GeneralQuery =
    "46c00024000040000102f9ae0a630001e0000001 94040000 "
    "1114ece8 00000000 02 03 0000";

// 10.99.0.1 > 239.0.1.4: igmp query v3 [max resp time 0.5s] [gaddr 239.0.1.4]   (length 36)
//   S 0, QRV 2, QQIC 3 (after the host's to_in {}: RFC 3376 §6.6.3.1)
inline constexpr std::string_view kV3GroupQuery =
    "46c00024000040000102e9ab0a630001ef000104 94040000 "
    "1105fcf2ef000104 02 03 0000";

// 10.99.0.1 > 239.0.1.4: igmp query v3 [max resp time 0.5s] [gaddr 239.0.1.4]   (length 36)
//   the retransmission: S 1 (tcpdump does not print it), QRV 2, QQIC 3
inline constexpr std::string_view kV3GroupQuerySFlag =
    "46c00024000040000102e9ab0a630001ef000104 94040000 "
    "1105f4f2ef000104 0a 03 0000";

// 10.99.0.1 > 239.0.1.3: igmp query v3 [max resp time 0.5s] [gaddr 239.0.1.3
//   { 10.99.0.10 10.99.0.9 }]   (length 44; after the host's block { 10.99.0.10 10.99.0.9 })
inline constexpr std::string_view kV3GroupSourceQuery =
    "46c0002c000040000102e9a40a630001ef000103 94040000 "
    "1105e818ef000103 02 03 0002 0a63000a 0a630009";

// 10.99.0.1 > 224.0.0.1: igmp query v3 [max resp time 44m22s]   (length 36)
//   A bridge set to 25 s / 200 s: Linux 6.18 writes 250 and 200 as they are, not in the
//   RFC 3376 §4.1.1 exponential form, so max resp code 0xfa reads as 26624 tenths (tcpdump
//   agrees) and QQIC 0xc8 as 3072 s. Hosts read it the same way; the codec keeps the codes.
inline constexpr std::string_view kV3QueryRawCodes =
    "46c00024000040000102f9ae0a630001e0000001 94040000 "
    "11faeb3d 00000000 02 c8 0000";

// --- host side, force_igmp_version=3 (and the bridge's own joins) ---

// 10.99.0.1 > 224.0.0.22: igmp v3 report, 2 group record(s) [gaddr 224.0.0.22 to_ex { }]
//   [gaddr 224.0.0.2 to_ex { }]   (length 48; the router side's own joins)
inline constexpr std::string_view kV3ReportRouterGroups =
    "46c00030000040000102f98d0a630001e0000016 94040000 "
    "220015e4 0000 0002 "
    "04 00 0000 e0000016 "
    "04 00 0000 e0000002";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 1 group record(s) [gaddr 239.0.1.2 to_ex { }]
//   (length 40; IP_ADD_MEMBERSHIP)
inline constexpr std::string_view kV3ReportJoin =
    "46c00028000040000102f9940a630002e0000016 94040000 "
    "2200e9fb 0000 0001 "
    "04 00 0000 ef000102";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 1 group record(s) [gaddr 239.0.1.3
//   allow { 10.99.0.9 }]   (length 44; IP_ADD_SOURCE_MEMBERSHIP)
inline constexpr std::string_view kV3ReportAllow =
    "46c0002c000040000102f9900a630002e0000016 94040000 "
    "2200de8d 0000 0001 "
    "05 00 0001 ef000103 0a630009";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 1 group record(s) [gaddr 239.0.1.3
//   block { 10.99.0.10 10.99.0.9 }]   (length 48; the source-specific socket closed)
inline constexpr std::string_view kV3ReportBlock =
    "46c00030000040000102f98c0a630002e0000016 94040000 "
    "2200d31f 0000 0001 "
    "06 00 0002 ef000103 0a63000a 0a630009";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 1 group record(s) [gaddr 239.0.1.4 to_in { }]
//   (length 40; the last socket on the group closed)
inline constexpr std::string_view kV3ReportLeave =
    "46c00028000040000102f9940a630002e0000016 94040000 "
    "2200eaf9 0000 0001 "
    "03 00 0000 ef000104";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 3 group record(s) [gaddr 239.0.1.4 to_ex
//   { 10.99.0.66 }] [gaddr 239.0.1.3 allow { 10.99.0.9 10.99.0.10 }] [gaddr 239.0.1.2
//   to_ex { }]   (length 68; joins, a source join and an IP_BLOCK_SOURCE merged into one)
inline constexpr std::string_view kV3ReportChanges =
    "46c00044000040000102f9780a630002e0000016 94040000 "
    "2200e16f 0000 0003 "
    "04 00 0001 ef000104 0a630042 "
    "05 00 0002 ef000103 0a630009 0a63000a "
    "04 00 0000 ef000102";

// 10.99.0.2 > 224.0.0.22: igmp v3 report, 3 group record(s) [gaddr 239.0.1.4 is_ex
//   { 10.99.0.66 }] [gaddr 239.0.1.3 is_in { 10.99.0.9 10.99.0.10 }] [gaddr 239.0.1.2
//   is_ex { }]   (length 68; the answer to kV3GeneralQuery)
inline constexpr std::string_view kV3ReportCurrentState =
    "46c00044000040000102f9780a630002e0000016 94040000 "
    "2200e96f 0000 0003 "
    "02 00 0001 ef000104 0a630042 "
    "01 00 0002 ef000103 0a630009 0a63000a "
    "02 00 0000 ef000102";

inline constexpr std::string_view kAllCaptures[] = {
    kV1Report,
    kV2Report,
    kV2Leave,
    kV2GeneralQuery,
    kV2GroupQuery,
    kV3GeneralQuery,
    kV3GroupQuery,
    kV3GroupQuerySFlag,
    kV3GroupSourceQuery,
    kV3QueryRawCodes,
    kV3ReportRouterGroups,
    kV3ReportJoin,
    kV3ReportAllow,
    kV3ReportBlock,
    kV3ReportLeave,
    kV3ReportChanges,
    kV3ReportCurrentState,
};

}  // namespace igmp::test
