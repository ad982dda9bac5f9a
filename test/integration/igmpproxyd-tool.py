#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Multicast helpers for the igmpproxyd integration test (run inside a lab namespace).

  send  --flow SRC,GROUP [--flow ...] [--port 8208] [--interval 0.05] [--ttl 8]
        Real multicast UDP, one datagram per flow every INTERVAL seconds, from a socket bound
        to SRC (an address of this namespace) with IP_MULTICAST_IF SRC. Payload:
        "SRC GROUP SEQ".
  recv  --ifname eth0 --ctl FIFO [--port 8208]
        A receiver that uses the kernel's own IGMP: one UDP socket bound to the port, and
        IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP on it for the commands read from FIFO
        ("join G", "leave G", "quit"). Prints "ready T", "join T G done T2", "leave T G done T2"
        (T just before the setsockopt, T2 once it returned: the kernel's report may leave in
        between) and "rx T GROUP SRC SEQ" per datagram.
  sniff --ifname IF [--igmp] [--udp PORT]
        AF_PACKET capture (with a BPF filter) printing one line per packet:
          udp T in|out SRC GROUP SEQ
          igmp T in|out SRC DST WHAT...   where WHAT is
             query v1|v2|v3 group=G mrt=SECONDS nsrc=N
             v1report G | v2report G | leave G
             v3report TYPE:G:NSOURCES ...   (TYPE is_in is_ex to_in to_ex allow block)
  query --src ADDR [--interval 2] [--mrt 1.0] [--group 0.0.0.0]
        An IGMPv2 querier: a general (or group-specific) query from ADDR to 224.0.0.1 (or
        the group) every INTERVAL seconds, TTL 1, Router Alert, raw socket.

T is the wall clock (time.time(), the clock of bash's EPOCHREALTIME and of the other tools).
Every line is flushed at once.
"""
import argparse
import ctypes
import os
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
PACKET_OUTGOING = 4


def out(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def now():
    return "%.6f" % time.time()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---- send ---------------------------------------------------------------------------------------

def cmd_send(a):
    flows = []
    socks = {}
    for f in a.flow:
        src, group = f.split(",")
        if src not in socks:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            s.bind((src, 0))
            socks[src] = s
        flows.append((socks[src], src, group))
    out("ready", now(), len(flows), "flows")
    seq = 0
    t = time.monotonic()
    while True:
        for s, src, group in flows:
            payload = ("%s %s %d " % (src, group, seq)).encode().ljust(200, b".")
            try:
                s.sendto(payload, (group, a.port))
            except OSError as e:  # a transient ENOBUFS must not end the stream
                out("error", now(), group, e)
        seq += 1
        t += a.interval
        delay = t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            t = time.monotonic()  # fell behind (loaded machine): do not burst to catch up


# ---- recv ---------------------------------------------------------------------------------------

def cmd_recv(a):
    ifindex = socket.if_nametoindex(a.ifname)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", a.port))
    s.setblocking(False)
    ctl = os.open(a.ctl, os.O_RDWR | os.O_NONBLOCK)  # RDWR: never EOF, writers never block
    pending = b""

    def mreq(group):
        return struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), ifindex)

    out("ready", now())
    while True:
        r, _, _ = select.select([s, ctl], [], [])
        if s in r:
            while True:
                try:
                    data, (src, _) = s.recvfrom(2048)
                except BlockingIOError:
                    break
                words = data.split(b" ", 3)
                if len(words) >= 3:
                    out("rx", now(), words[1].decode(errors="replace"), src,
                        words[2].decode(errors="replace"))
        if ctl in r:
            pending += os.read(ctl, 4096)
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode().split()
                if not words:
                    continue
                if words[0] == "quit":
                    out("quit", now())
                    return
                t0 = now()
                try:
                    if words[0] == "join":
                        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq(words[1]))
                    elif words[0] == "leave":
                        s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq(words[1]))
                    else:
                        out("error", now(), "unknown command", line.decode())
                        continue
                    out(words[0], t0, words[1], "done", now())
                except OSError as e:
                    out("error", now(), line.decode(), e)


# ---- sniff --------------------------------------------------------------------------------------

RECORD_TYPES = {1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}


def ip4(b):
    return socket.inet_ntoa(b)


def decode_mrc(code):
    # RFC 3376 §4.1.1: codes >= 128 are a floating point value.
    if code < 128:
        return code
    return ((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3)


def describe_igmp(p):
    if len(p) < 8:
        return "short %d" % len(p)
    t, code = p[0], p[1]
    if t == 0x11:
        group = ip4(p[4:8])
        if len(p) >= 12:
            nsrc = struct.unpack("!H", p[10:12])[0]
            return "query v3 group=%s mrt=%.1f nsrc=%d" % (group, decode_mrc(code) / 10, nsrc)
        if code == 0:
            return "query v1 group=%s mrt=10.0 nsrc=0" % group
        return "query v2 group=%s mrt=%.1f nsrc=0" % (group, code / 10)
    if t == 0x12:
        return "v1report " + ip4(p[4:8])
    if t == 0x16:
        return "v2report " + ip4(p[4:8])
    if t == 0x17:
        return "leave " + ip4(p[4:8])
    if t == 0x22:
        n = struct.unpack("!H", p[6:8])[0]
        recs = []
        off = 8
        for _ in range(n):
            if off + 8 > len(p):
                recs.append("truncated")
                break
            rtype, aux, nsrc = struct.unpack("!BBH", p[off:off + 4])
            recs.append("%s:%s:%d" % (RECORD_TYPES.get(rtype, "type%d" % rtype),
                                      ip4(p[off + 4:off + 8]), nsrc))
            off += 8 + 4 * nsrc + 4 * aux
        return "v3report " + " ".join(recs)
    return "type 0x%02x" % t


def bpf(igmp, udp_port):
    # Classic BPF over the IP header (SOCK_DGRAM packet sockets start at the network header).
    ldb_abs, ldh_ind, ldx_msh = 0x30, 0x48, 0xB1
    jeq, ret = 0x15, 0x06
    ldh_abs, skf_ad_protocol = 0x28, 0xFFFFF000
    accept, drop = 0xFFFF, 0
    prog = [(ldb_abs, 0, 0, 9)]  # A = IP protocol
    if igmp and udp_port:
        prog += [(jeq, 4, 0, 2),          # IGMP -> accept
                 (jeq, 0, 4, 17),         # not UDP -> drop
                 (ldx_msh, 0, 0, 0),      # X = IP header length
                 (ldh_ind, 0, 0, 2),      # A = UDP destination port
                 (jeq, 0, 1, udp_port),
                 (ret, 0, 0, accept),
                 (ret, 0, 0, drop)]
    elif igmp:
        prog += [(jeq, 0, 1, 2), (ret, 0, 0, accept), (ret, 0, 0, drop)]
    else:
        prog += [(jeq, 0, 4, 17),
                 (ldx_msh, 0, 0, 0),
                 (ldh_ind, 0, 0, 2),
                 (jeq, 0, 1, udp_port),
                 (ret, 0, 0, accept),
                 (ret, 0, 0, drop)]
    # In front: IPv4 only (the socket takes every protocol, ETH_P_ALL, to see outgoing packets
    # too); a mismatch jumps to the final "drop".
    return [(ldh_abs, 0, 0, skf_ad_protocol), (jeq, 0, len(prog) - 1, ETH_P_IP)] + prog


def cmd_sniff(a):
    # ETH_P_ALL: a socket bound to one protocol only sees what comes in, not what goes out.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    prog = bpf(a.igmp, a.udp)
    insns = b"".join(struct.pack("HBBI", *i) for i in prog)
    buf = ctypes.create_string_buffer(insns)
    fprog = struct.pack("HL", len(prog), ctypes.addressof(buf))
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    s.bind((a.ifname, ETH_P_ALL))
    # Packets queued between socket() and the filter/bind may not match: drain them.
    s.setblocking(False)
    while True:
        try:
            s.recv(65535)
        except BlockingIOError:
            break
    s.setblocking(True)
    out("ready", now(), a.ifname)
    while True:
        p, addr = s.recvfrom(65535)
        t = now()
        if addr[1] != ETH_P_IP or len(p) < 20 or p[0] >> 4 != 4:
            continue
        direction = "out" if addr[2] == PACKET_OUTGOING else "in"
        ihl = (p[0] & 0x0F) * 4
        proto = p[9]
        src, dst = ip4(p[12:16]), ip4(p[16:20])
        body = p[ihl:]
        if proto == 2 and a.igmp:
            out("igmp", t, direction, src, dst, describe_igmp(body))
        elif proto == 17 and a.udp and len(body) >= 8:
            dport = struct.unpack("!H", body[2:4])[0]
            if dport != a.udp:
                continue
            words = body[8:].split(b" ", 3)
            seq = words[2].decode(errors="replace") if len(words) >= 3 else "?"
            out("udp", t, direction, src, dst, seq)


# ---- query --------------------------------------------------------------------------------------

def cmd_query(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.src))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b"\x94\x04\x00\x00")  # Router Alert
    s.bind((a.src, 0))
    code = max(1, min(255, int(round(a.mrt * 10))))
    msg = struct.pack("!BBH4s", 0x11, code, 0, socket.inet_aton(a.group))
    msg = struct.pack("!BBH4s", 0x11, code, checksum(msg), socket.inet_aton(a.group))
    dst = "224.0.0.1" if a.group == "0.0.0.0" else a.group
    out("ready", now())
    while True:
        s.sendto(msg, (dst, 0))
        out("query", now(), a.src, dst, "v2", "group=" + a.group, "mrt=%.1f" % (code / 10))
        time.sleep(a.interval)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send")
    p.add_argument("--flow", action="append", required=True)
    p.add_argument("--port", type=int, default=8208)
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--ttl", type=int, default=8)
    p = sub.add_parser("recv")
    p.add_argument("--ifname", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--port", type=int, default=8208)
    p = sub.add_parser("sniff")
    p.add_argument("--ifname", required=True)
    p.add_argument("--igmp", action="store_true")
    p.add_argument("--udp", type=int, default=0)
    p = sub.add_parser("query")
    p.add_argument("--src", required=True)
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--mrt", type=float, default=1.0)
    p.add_argument("--group", default="0.0.0.0")
    a = ap.parse_args()
    if a.cmd == "sniff" and not (a.igmp or a.udp):
        ap.error("sniff: --igmp and/or --udp PORT")
    {"send": cmd_send, "recv": cmd_recv, "sniff": cmd_sniff, "query": cmd_query}[a.cmd](a)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
