#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send one hand-built RIP packet (RFC 2453 §4, RFC 4822 keyed MD5), for hostile-input tests.

  ripsend.py --src 10.128.0.66 [--sport 520] [--dst 224.0.0.9] [--dport 520]
             [--command 2] [--version 2] [--md5 KEY --key-id 1 --seq N]
             [--truncate BYTES] [--hex] PREFIX/LEN[:METRIC[:NEXTHOP[:TAG]]]...

Each route becomes a 20-byte RTE:  AFI(2)=2 | tag(2) | address(4) | mask(4) | next hop(4) |
metric(4).  The 4-byte header is command(1) | version(1) | zero(2).  --truncate cuts the
finished packet to BYTES.  Sent from a normal UDP socket bound to --src:--sport with
SO_REUSEADDR (so it works beside BIRD's own port-520 socket), TTL 1 for multicast.
"""
import argparse
import hashlib
import ipaddress
import socket
import struct
import sys


def rte(spec):
    parts = spec.split(":")
    net = ipaddress.IPv4Network(parts[0], strict=False)
    metric = int(parts[1]) if len(parts) > 1 and parts[1] else 1
    nh = ipaddress.IPv4Address(parts[2]) if len(parts) > 2 and parts[2] else ipaddress.IPv4Address(0)
    tag = int(parts[3]) if len(parts) > 3 else 0
    # RFC 2453 §4: AFI, route tag, IP address, subnet mask, next hop, metric.
    return struct.pack("!HH4s4s4sI", 2, tag, net.network_address.packed, net.netmask.packed,
                       nh.packed, metric)


def build(args):
    rtes = b"".join(rte(r) for r in args.routes)
    head = struct.pack("!BBH", args.command, args.version, 0)
    if args.md5 is None:
        return head + rtes
    # RFC 4822 §3.1 (RFC 2082): auth RTE AFI 0xFFFF type 3, packet length (up to the trailer),
    # key id, auth data length 20, sequence number, two zero words.
    body_len = 4 + 20 + len(rtes)
    auth = struct.pack("!HHHBBIII", 0xFFFF, 3, body_len, args.key_id, 20, args.seq, 0, 0)
    key = args.md5.encode().ljust(16, b"\0")[:16]
    trailer_head = struct.pack("!HH", 0xFFFF, 1)
    digest = hashlib.md5(head + auth + rtes + trailer_head + key).digest()
    return head + auth + rtes + trailer_head + digest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--sport", type=int, default=520)
    ap.add_argument("--dst", default="224.0.0.9")
    ap.add_argument("--dport", type=int, default=520)
    ap.add_argument("--command", type=int, default=2)
    ap.add_argument("--version", type=int, default=2)
    ap.add_argument("--md5")
    ap.add_argument("--key-id", type=int, default=1)
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--hex", action="store_true", help="print the packet before sending")
    ap.add_argument("routes", nargs="*")
    args = ap.parse_args()

    pkt = build(args)
    if args.truncate is not None:
        pkt = pkt[: args.truncate]
    if args.hex:
        print(pkt.hex(" "), file=sys.stderr)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.src, args.sport))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.src))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    n = s.sendto(pkt, (args.dst, args.dport))
    if n != len(pkt):
        sys.exit(f"short send: {n} of {len(pkt)}")


if __name__ == "__main__":
    main()
