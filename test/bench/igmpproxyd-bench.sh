#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark: igmpproxyd next to Debian's igmpproxy (0.3) on the same lab topology, each in
# fresh namespaces: how long a set-top box waits for the first packet after it joins a channel,
# how long the stream keeps coming after it leaves (quickleave on for both), and what each proxy
# costs in CPU and memory while 50 receivers watch 500 groups.
#
#   Run (root, igmpproxy, python3, cc; build optimised first):
#     meson setup /tmp/build-igmpbench -Dbuildtype=release && ninja -C /tmp/build-igmpbench
#     test/bench/igmpproxyd-bench.sh /tmp/build-igmpbench/igmpproxyd/igmpproxyd
#   Debian's igmpproxy: apt-get install igmpproxy (its packaged service is not needed; the bench
#   runs "igmpproxy -d -v" itself in the router namespace). Not a meson test: run on demand;
#   about 4 minutes.
#   Environment: BENCH_JOINS (join/leave cycles per proxy, default 30, plus one warm-up),
#                BENCH_RECEIVERS (receiving hosts, default 50), BENCH_GROUPS_PER (groups per
#                receiver, default 10: 500 in all), BENCH_PPS (packets/s of each of those
#                groups, default 20: 10k packets/s in all), BENCH_PROBE_PPS (packets/s of the
#                latency probe group, default 1000: the resolution of both latencies),
#                BENCH_SPAN (s of the scale phase, default 40), BENCH_SPREAD (s over which the
#                receivers' joins are spread, default 0: all at once), BENCH_PAYLOAD (UDP bytes,
#                default 64), BENCH_ISP_SNOOP (1, the default: isp's vlan2 switch forwards a
#                group to the router only once the router reported it, as Movistar's network
#                does, so a group the proxy fails to report upstream never arrives; 0: it floods
#                every group, so upstream reports do not matter and the proxy gets an upcall for
#                every group), BENCH_STATE_FILE (igmpproxyd's state file; empty disables it),
#                BENCH_ONLY (igmpproxyd|igmpproxy: one side only), BENCH_PCAP (a directory:
#                tcpdump the router's IGMP and probe traffic into KIND.pcap, for debugging).
#
#   +------------------------------- isp -------------------------------+
#   | bridge vlan2 10.128.0.1/9; BENCH_ISP_SNOOP=1: IGMP snooping and    |
#   |   querier, port r-vlan2 with mcast_flood off and fast leave        |
#   | port p-src -- veth src 172.26.80.10: the sender (C, built here),   |
#   |   500 groups 239.1.0.1.. at BENCH_PPS each; during latency cycle N |
#   |   only, a second one sends the probe group 239.2.0.N               |
#   +----|--------------------------------------------------------------+
#        | veth r-vlan2 / vlan2
#   +----|--------------------------------------------------------------+
#   | vlan2 10.214.1.2/9 (upstream), route 172.26.80.0/21 via vlan2      |
#   | router: igmpproxyd -f -v, or (fresh namespaces) igmpproxy -d -v;   |
#   |   quickleave, altnet 172.0.0.0/8, ratelimit 0, threshold 1         |
#   | vlan100 192.168.1.1/24 (downstream)                                |
#   +----|--------------------------------------------------------------+
#        | veth vlan100 / p-router
#   +----|------------------------------- lan --------------------------+
#   | p-router  <- AF_PACKET: the last packet of a left group the router |
#   |              sends into the lan (leave-to-stop)                    |
#   | bridge br0: IGMP snooping, querier (IGMPv2 queries from 0.0.0.0,   |
#   |   so the hosts report with IGMPv2)                                 |
#   | p-deco   p-pc   p-rx01 ... p-rx50                                  |
#   +---|--------|--------|----------|----------------------------------+
#       |        |        |          |
#     deco       pc     rx01  ...  rx50    192.168.1.101-150, 10 groups each (scale phase:
#   192.168.1.50                           one process, a socket per group in each namespace)
#   (latency: join a probe group, stamp the first packet;
#    leave, wait for the router to stop sending it)
#
# Per proxy: join-to-first-packet and leave-to-stop latency, median and p90 of BENCH_JOINS cycles
# each on a new group with nothing else joined; then the scale phase: every receiver joins its
# groups, and over BENCH_SPAN seconds we take each group's join-to-first-packet time, which
# groups keep delivering (the second half), how many groups the isp switch forwards to the
# router (those the proxy really reported upstream), the proxy's CPU time (run time summed over
# its threads from /proc/PID/task/*/schedstat, and utime+stime from /proc/PID/stat) and its
# peak RSS (VmHWM). The printed table ends with the ratios igmpproxyd / igmpproxy.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab
source "$HERE/../lab/lib.sh"

JOINS=${BENCH_JOINS:-30}
RECEIVERS=${BENCH_RECEIVERS:-50}
GROUPS_PER=${BENCH_GROUPS_PER:-10}
PPS=${BENCH_PPS:-20}
PROBE_PPS=${BENCH_PROBE_PPS:-1000}
SPAN=${BENCH_SPAN:-40}
SPREAD=${BENCH_SPREAD:-0}
PAYLOAD=${BENCH_PAYLOAD:-64}
ISP_SNOOP=${BENCH_ISP_SNOOP:-1}
PORT=5004
SOURCE=172.26.80.10
SCALE_BASE=239.1.0.1
PROBE_BASE=239.2.0.0

# --- one proxy, in its own namespaces: "--one igmpproxyd|igmpproxy DAEMON TOOLS" prints RESULT --
if [[ ${1:-} == --one ]]; then
    kind=$2 daemon=$3 tools=$4
    ngroups=$((RECEIVERS * GROUPS_PER))
    lab_init
    lab_seed_topology
    lab_addr deco eth0 192.168.1.50/24
    # The source hangs off a port of isp's vlan2 bridge (a veth inside isp): traffic the bridge
    # device itself sends ignores the ports' mcast_flood flag, a port's traffic does not.
    lab_link isp src isp p-src
    lab_port isp vlan2 p-src
    lab_addr isp src "$SOURCE/32"
    # What ripd-passive would have learnt: the IPTV sources are behind vlan2 (reverse path).
    lab_ip router route add 172.26.80.0/21 via 10.128.0.1 dev vlan2 || lab_fail "route to $SOURCE"
    if [[ $ISP_SNOOP == 1 ]]; then
        # A querier's switch forwards by its snooping table only once it has been querier for a
        # query response interval (it floods before that): 1 s, not the default 10, set first.
        lab_ip isp link set vlan2 type bridge mcast_snooping 1 mcast_query_response_interval 100 ||
            lab_fail "IGMP snooping on isp:vlan2"
        lab_ip isp link set vlan2 type bridge mcast_querier 1 || lab_fail "querier on isp:vlan2"
        lab_exec isp bridge link set dev r-vlan2 mcast_flood off fastleave on ||
            lab_fail "mcast_flood off / fast leave on isp:r-vlan2"
    fi
    for ((i = 1; i <= RECEIVERS; i++)); do
        rx=$(printf 'rx%02d' "$i")
        lab_ns "$rx"
        lab_attach "$rx" eth0 lan br0 "p-$rx"
        lab_addr "$rx" eth0 "192.168.1.$((100 + i))/24"
    done

    case $kind in
        igmpproxyd)
            conf=$LAB_DIR/igmpproxyd.conf
            cat >"$conf" <<EOF
[global]
quickleave = yes
user = nobody
state-file = ${BENCH_STATE_FILE-$LAB_DIR/run/igmpproxyd.json}
[upstream vlan2]
altnet = 172.0.0.0/8
ratelimit = 0
threshold = 1
[downstream vlan100]
ratelimit = 0
threshold = 1
[disabled]
interfaces = lo vlan3 vlan6
EOF
            chmod 644 "$conf"
            lab_spawn router "$LAB_DIR/proxy.log" "$daemon" -f -v -c "$conf"
            ;;
        igmpproxy)
            conf=$LAB_DIR/igmpproxy.conf
            cat >"$conf" <<EOF
quickleave
phyint vlan2 upstream ratelimit 0 threshold 1
        altnet 172.0.0.0/8
phyint vlan100 downstream ratelimit 0 threshold 1
phyint vlan3 disabled
phyint vlan6 disabled
phyint lo disabled
EOF
            lab_spawn router "$LAB_DIR/proxy.log" "$daemon" -d -v "$conf"
            ;;
        *) lab_fail "unknown proxy $kind" ;;
    esac
    ppid=$LAB_LAST_PID
    if [[ -n ${BENCH_PCAP:-} ]]; then # debugging: what the router sees, IGMP and probes only
        lab_spawn router "$LAB_DIR/tcpdump.log" tcpdump -i any -n -s 128 -w "$BENCH_PCAP/$kind.pcap" \
            igmp or dst net 239.2.0.0/16
    fi
    vifs() { [[ $(lab_exec router awk 'NR > 1' /proc/net/ip_mr_vif | wc -l) -ge 2 ]]; }
    wait_for 10 vifs || lab_fail "$kind did not set up its VIFs: $(tail -n5 "$LAB_DIR/proxy.log")"

    lab_spawn isp "$LAB_DIR/sender.log" "$tools/sender" "$SOURCE" "$PORT" "$PAYLOAD" "$SCALE_BASE/$ngroups@$PPS"
    sender=$LAB_LAST_PID

    # Latency: BENCH_JOINS join/leave cycles in deco, each on its own probe group, sent (by a
    # sender of its own) only during its cycle.
    python3 "$tools/latency.py" "$(lab_nsname isp)" "$(lab_nsname lan)" "$(lab_nsname deco)" \
        "$PROBE_BASE" "$PORT" "$JOINS" "$tools/sender $SOURCE $PORT $PAYLOAD" "$PROBE_PPS" \
        >"$LAB_DIR/latency.out" 2>&1 ||
        lab_log "$kind: latency probe failed: $(tail -n3 "$LAB_DIR/latency.out")"
    grep '^cycle' "$LAB_DIR/latency.out" >&2
    read -r _ jmed jp90 jfail lmed lp90 lfail < <(grep '^latency' "$LAB_DIR/latency.out")

    # Scale: every receiver joins its groups (at once, or spread over BENCH_SPREAD s).
    rxns=()
    for ((i = 1; i <= RECEIVERS; i++)); do rxns+=("$(lab_nsname "$(printf 'rx%02d' "$i")")"); done
    python3 "$tools/scale.py" "$ppid" "$SCALE_BASE" "$PORT" "$GROUPS_PER" "$PPS" "$SPAN" "$SPREAD" \
        "$LAB_DIR/halfway" "${rxns[@]}" >"$LAB_DIR/scale.out" 2>&1 &
    scale=$!
    LAB_PIDS+=("$scale")
    wait_for $((SPAN + 30)) test -e "$LAB_DIR/halfway" || lab_log "$kind: scale phase never got halfway"
    # Groups the isp's switch forwards to the router: what the proxy really reported upstream.
    if [[ $ISP_SNOOP == 1 ]]; then
        upgroups=$(lab_exec isp bridge mdb show dev vlan2 | grep -c 'port r-vlan2 grp 239\.1\.')
    else
        upgroups=-
    fi
    lab_exec router cat /proc/net/ip_mr_cache >"$LAB_DIR/mfc.halfway"
    mfc=$(awk 'NR > 1 && $3 != -1 { n++ } END { print n + 0 }' "$LAB_DIR/mfc.halfway") # resolved only
    wait "$scale" || lab_log "$kind: scale phase failed: $(tail -n3 "$LAB_DIR/scale.out")"
    read -r _ smed smax okrx rxfull cpuns cpuclk < <(grep '^scale' "$LAB_DIR/scale.out")
    grep -E '^(missing|short)' "$LAB_DIR/scale.out" | head -n5 >&2
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ppid/status" 2>/dev/null)
    total=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$ppid/stat" 2>/dev/null)
    lab_alive "$ppid" || lab_log "$kind died: $(tail -n5 "$LAB_DIR/proxy.log")"
    lab_alive "$sender" || lab_log "sender died: $(cat "$LAB_DIR/sender.log")"
    # Anything the proxy complained about, once per distinct message: igmpproxy's upstream joins
    # past the 20 groups one socket may hold (net.ipv4.igmp_max_memberships; it spends two of
    # them on 224.0.0.2 and 224.0.0.22 downstream, so 18 channels) show up here.
    grep -iE 'warn|err|fail|no buffer|dropped' "$LAB_DIR/proxy.log" |
        sed -E 's/[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/A.B.C.D/g' | sort | uniq -c | sort -rn | head -n5 |
        sed "s/^/$kind log: /" >&2
    state=${BENCH_STATE_FILE-$LAB_DIR/run/igmpproxyd.json}
    if [[ $kind == igmpproxyd && -n $state && -r $state ]]; then
        python3 -c 'import json, sys
print("igmpproxyd counters:", json.dumps(json.load(open(sys.argv[1])).get("counters")))' "$state" >&2 || true
    fi
    echo "$kind: $mfc resolved MFC entries halfway through the scale phase, CPU $total s over the whole run" >&2
    echo "RESULT $kind ${jmed:--} ${jp90:--} ${jfail:--} ${lmed:--} ${lp90:--} ${lfail:--}" \
        "${smed:--}/${smax:--} ${okrx:--} ${rxfull:--} ${upgroups:--} ${mfc:--} ${cpuns:--} ${cpuclk:--}" \
        "${total:--} ${hwm:--}"
    exit 0
fi

# --- driver ---------------------------------------------------------------------------------------
triplay=${1:-}
[[ -n $triplay && -x $triplay ]] || { echo "usage: $0 PATH/TO/igmpproxyd" >&2; exit 64; }
triplay=$(realpath "$triplay")
lab_require_root
lab_require_cmd python3 cc bridge
igmpproxy=$(command -v igmpproxy) || lab_skip "needs Debian's igmpproxy (apt-get install igmpproxy)"
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody'"
if pgrep -x igmpproxy >/dev/null; then
    echo "note: an igmpproxy is already running on this machine (the packaged service?);" \
        "it lives in another network namespace and does not disturb the bench" >&2
fi

tools=$(mktemp -d "${TMPDIR:-/tmp}/igmpbench.XXXXXX")
chmod 755 "$tools"
trap 'rm -rf "$tools"' EXIT

# The sender: every group at its own rate, phases spread, paced by a 1 ms absolute tick.
cat >"$tools/sender.c" <<'EOF'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct group { struct sockaddr_in to; int64_t period, next; uint32_t seq; };
static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }
static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s SOURCE PORT PAYLOAD FIRST/COUNT@PPS...\n", argv[0]);
        return 64;
    }
    struct in_addr src;
    if (inet_pton(AF_INET, argv[1], &src) != 1) return 64;
    int port = atoi(argv[2]), payload = atoi(argv[3]);
    if (payload < 8) payload = 8;
    if (payload > 1472) payload = 1472;
    struct group *g = NULL;
    size_t n = 0;
    for (int a = 4; a < argc; a++) {
        char first[32];
        unsigned count, pps;
        struct in_addr f;
        if (sscanf(argv[a], "%31[0-9.]/%u@%u", first, &count, &pps) != 3 || !pps ||
            inet_pton(AF_INET, first, &f) != 1) {
            fprintf(stderr, "bad group spec %s\n", argv[a]);
            return 64;
        }
        g = realloc(g, (n + count) * sizeof *g);
        for (unsigned i = 0; i < count; i++) {
            struct group *x = &g[n + i];
            memset(x, 0, sizeof *x);
            x->to.sin_family = AF_INET;
            x->to.sin_port = htons(port);
            x->to.sin_addr.s_addr = htonl(ntohl(f.s_addr) + i);
            x->period = 1000000000 / pps;
            x->next = x->period * i / count;  // spread the groups over one period
        }
        n += count;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr = src};
    unsigned char ttl = 8, loop = 0;
    int sndbuf = 1 << 22;
    if (s < 0 || bind(s, (struct sockaddr *)&b, sizeof b) < 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &src, sizeof src) < 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1) < 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, 1) < 0) {
        perror("socket");
        return 1;
    }
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("ready\n");
    fflush(stdout);
    char buf[1500] = {0};
    int64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) g[i].next += t0;
    uint64_t sent = 0, errors = 0;
    struct timespec tick;
    clock_gettime(CLOCK_MONOTONIC, &tick);
    while (!stop) {
        int64_t t = now_ns();
        for (size_t i = 0; i < n; i++) {
            if (g[i].next > t) continue;
            if (t - g[i].next > 100000000) g[i].next = t;  // fell far behind: no burst
            uint32_t idx = htonl((uint32_t)i), seq = htonl(g[i].seq++);
            memcpy(buf, &idx, 4);
            memcpy(buf + 4, &seq, 4);
            if (sendto(s, buf, (size_t)payload, 0, (struct sockaddr *)&g[i].to, sizeof g[i].to) < 0)
                errors++;
            else
                sent++;
            g[i].next += g[i].period;
        }
        tick.tv_nsec += 1000000;
        if (tick.tv_nsec >= 1000000000) { tick.tv_sec++; tick.tv_nsec -= 1000000000; }
        if ((int64_t)tick.tv_sec * 1000000000 + tick.tv_nsec < t) clock_gettime(CLOCK_MONOTONIC, &tick);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
    }
    printf("sent %llu errors %llu\n", (unsigned long long)sent, (unsigned long long)errors);
    return 0;
}
EOF
cc -O2 -Wall -o "$tools/sender" "$tools/sender.c" || lab_fail "cannot build the sender"

# Shared by both probes: enter a named network namespace (sockets stay in the one they were
# made in), and the kernel's receive timestamp of a datagram.
cat >"$tools/nsutil.py" <<'EOF'
import ctypes, os, socket, struct
_libc = ctypes.CDLL(None, use_errno=True)
SO_TIMESTAMPNS = 35

def enter(name):
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if _libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)

def recv_stamped(s, size=2048):
    data, anc, _, _ = s.recvmsg(size, 64)
    for level, typ, val in anc:
        if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("=qq", val[:16])
            return data, sec + nsec / 1e9
    raise RuntimeError("no receive timestamp")

def add(addr, n):
    return socket.inet_ntoa(struct.pack("!I", struct.unpack("!I", socket.inet_aton(addr))[0] + n))

def cpu(pid):
    """(ns on CPU summed over the threads, utime+stime in s)"""
    ns = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/schedstat") as f:
            ns += int(f.read().split()[0])
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return ns, (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
EOF

# Latency: join in deco, the first datagram's kernel timestamp; leave, the last datagram of the
# group the router sends into the lan (AF_PACKET on lan:p-router), until QUIET s of silence.
cat >"$tools/latency.py" <<'EOF'
import select, socket, struct, subprocess, sys, time
sys.path.insert(0, sys.path[0])
from nsutil import enter, recv_stamped, add, SO_TIMESTAMPNS
isp, lan, deco, base = sys.argv[1:5]
port, n = int(sys.argv[5]), int(sys.argv[6])
sender, pps = sys.argv[7].split(), int(sys.argv[8])
# LEAVE_MAX: an RFC querier without quickleave stops after 2 x 1 s of last-member queries.
JOIN_MAX, LEAVE_MAX, QUIET, HOLD, GAP = 10.0, 3.0, 0.5, 0.2, 0.2

enter(lan)
# ETH_P_ALL: a bridge port hands its frames to the bridge before any per-protocol tap.
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
cap.bind(("p-router", 0x0003))
cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
cap.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
cap.setblocking(False)
enter(deco)
ifindex = socket.if_nametoindex("eth0")

def is_data(frame, gbytes):
    """An Ethernet frame carrying a UDP datagram to the group."""
    return len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[23] == 17 and frame[30:34] == gbytes

def drain(s, gbytes=None):
    seen = 0
    while True:
        try:
            data = s.recv(2048)
        except BlockingIOError:
            return seen
        if gbytes and is_data(data, gbytes):
            seen += 1

joins, leaves, jfail, lfail = [], [], 0, 0
for i in range(n + 1):  # cycle 0 is a warm-up
    group = add(base, i)
    gbytes = socket.inet_aton(group)
    tx = subprocess.Popen(sender + [f"{group}/1@{pps}"], stdout=subprocess.PIPE, text=True,
                          preexec_fn=lambda: enter(isp))
    if tx.stdout.readline().strip() != "ready":
        sys.exit("probe sender did not start")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((group, port))
    mreq = struct.pack("4s4si", gbytes, b"\0" * 4, ifindex)
    t0 = time.time()
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    join = None
    if select.select([s], [], [], JOIN_MAX)[0]:
        _, ts = recv_stamped(s)
        join = ts - t0
    s.setblocking(False)
    time.sleep(HOLD)
    drain(s)
    seen = drain(cap, gbytes)
    t1 = time.time()
    s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
    s.close()
    last, quiet_until, deadline = None, t1 + QUIET, t1 + LEAVE_MAX
    while True:
        now = time.time()
        if now >= quiet_until or now >= deadline:
            break
        if not select.select([cap], [], [], min(quiet_until, deadline) - now)[0]:
            continue
        while True:
            try:
                data, ts = recv_stamped(cap)
            except BlockingIOError:
                break
            if is_data(data, gbytes) and ts > t1:
                last, quiet_until = ts, time.time() + QUIET
    leave = None if quiet_until > deadline else (last - t1 if last else 0.0)
    tx.terminate()
    tx.wait()
    if join is None:
        leave = None  # nothing came: nothing to stop
    fmt = lambda v: "-" if v is None else f"{v * 1000:.1f}"
    print(f"cycle {i}{' (warm-up)' if i == 0 else ''} {group}: join {fmt(join)} ms,"
          f" leave {fmt(leave)} ms ({seen} on p-router while joined)", flush=True)
    if i > 0:
        if join is None:
            jfail += 1
        else:
            joins.append(join)
            if leave is None:
                lfail += 1
            else:
                leaves.append(leave)
    time.sleep(GAP)

def pct(v, p):
    if not v:
        return "-"
    v = sorted(v)
    k = (len(v) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return f"{(v[lo] + (v[hi] - v[lo]) * (k - lo)) * 1000:.1f}"

print("latency", pct(joins, 0.5), pct(joins, 0.9), jfail, pct(leaves, 0.5), pct(leaves, 0.9), lfail)
EOF

# Scale: one process, a socket per (receiver, group) made inside each receiver's namespace;
# all join at once; time until every socket had a packet, then count over the window.
cat >"$tools/scale.py" <<'EOF'
import os, resource, select, socket, struct, sys, time
sys.path.insert(0, sys.path[0])
from nsutil import enter, add, cpu, recv_stamped, SO_TIMESTAMPNS
pid, base, port, per, pps, span, spread, marker = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
    int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), sys.argv[8])
names = sys.argv[9:]
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
socks, mreqs = [], []
for r, ns in enumerate(names):
    enter(ns)
    ifindex = socket.if_nametoindex("eth0")
    for k in range(per):
        group = add(base, r * per + k)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((group, port))
        s.setblocking(False)
        socks.append((ns, group, s))
        mreqs.append(struct.pack("4s4si", socket.inet_aton(group), b"\0" * 4, ifindex))
n = len(socks)
ep = select.epoll()
index = {s.fileno(): i for i, (_, _, s) in enumerate(socks)}
for _, _, s in socks:
    ep.register(s.fileno(), select.EPOLLIN)
count, joined, first = [0] * n, [None] * n, [None] * n
late = [0] * n  # packets in the second half of the span: the steady state

def pump(until, counting):
    while True:
        left = until - time.time()
        if left <= 0:
            return
        for fd, _ in ep.poll(min(left, 0.2)):
            i = index[fd]
            s = socks[i][2]
            while True:
                try:
                    if first[i] is None:
                        _, first[i] = recv_stamped(s)
                    else:
                        s.recv(2048)
                except BlockingIOError:
                    break
                count[i] += 1
                if counting:
                    late[i] += 1

# The joins: all at once, or spread evenly over `spread` seconds.
cpu0 = cpu(pid)
t0 = time.time()
for i in range(n):
    due = t0 + spread * i / n
    if due > time.time():
        pump(due, False)
    joined[i] = time.time()
    socks[i][2].setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqs[i])
pump(t0 + span / 2, False)
open(marker, "w").close()
pump(t0 + span, True)
cpu1 = cpu(pid)
need = 0.5 * pps * span / 2
lat = sorted(first[i] - joined[i] for i in range(n) if first[i] is not None)
for i in range(n):
    if late[i] < need:
        print(f"{'missing' if not count[i] else 'short'} {socks[i][0]} {socks[i][1]}: {late[i]} packets of"
              f" {pps * span / 2:.0f} in the second half")
ok = sum(1 for c in late if c >= need)
full = sum(1 for r in range(len(names)) if all(c >= need for c in late[r * per:(r + 1) * per]))
med = f"{lat[len(lat) // 2] * 1000:.0f}" if lat else "-"
worst = f"{lat[-1] * 1000:.0f}" if len(lat) == n else "-"
print("scale", med, worst, f"{ok}/{n}", f"{full}/{len(names)}",
      f"{(cpu1[0] - cpu0[0]) / 1e6:.1f}", f"{cpu1[1] - cpu0[1]:.2f}")
EOF

declare -A R
for kind in igmpproxyd igmpproxy; do
    [[ -n ${BENCH_ONLY:-} && $BENCH_ONLY != "$kind" ]] && continue
    daemon=$([[ $kind == igmpproxyd ]] && echo "$triplay" || echo "$igmpproxy")
    echo "--- $kind ($daemon)" >&2
    line=$("$0" --one "$kind" "$daemon" "$tools" | grep '^RESULT')
    [[ -n $line ]] || echo "$kind: no result" >&2
    R[$kind]=${line:-RESULT $kind - - - - - - - - - - - - - - -}
done

# RESULT kind jmed jp90 jfail lmed lp90 lfail smed/smax ok rxfull upgroups mfc cpums cpuclk total hwm
printf '\n%d join/leave cycles per proxy in deco (a probe group at %d pps each), quickleave;\n' \
    "$JOINS" "$PROBE_PPS"
printf 'then %d receivers x %d groups = %d groups at %d pps each, joined %s, %s s; isp switch %s\n' \
    "$RECEIVERS" "$GROUPS_PER" "$((RECEIVERS * GROUPS_PER))" "$PPS" \
    "$([[ $SPREAD == 0 ]] && echo "at once" || echo "over $SPREAD s")" "$SPAN" \
    "$([[ $ISP_SNOOP == 1 ]] && echo "forwards only reported groups" || echo "floods every group")"
fmt='%-11s %15s %16s %17s %10s %9s %9s %8s %7s %13s\n'
# shellcheck disable=SC2059
printf "$fmt" proxy "join ms med/p90" "leave ms med/p90" "scale join ms m/max" "groups ok" "hosts ok" \
    "upstream" "CPU ms" "CPU s" "peak RSS KiB"
for kind in igmpproxyd igmpproxy; do
    [[ -n ${R[$kind]:-} ]] || continue
    read -r _ _ jm jp jf lm lp lf sj ok rx up _ cms cs _ hwm <<<"${R[$kind]}"
    # shellcheck disable=SC2059
    printf "$fmt" "$kind" "$jm/$jp" "$lm/$lp" "$sj" "$ok" "$rx" "$up" "$cms" "$cs" "$hwm"
    [[ $jf != 0 && $jf != - ]] && echo "  $kind: $jf of $JOINS joins got no packet within 10 s"
    [[ $lf != 0 && $lf != - ]] && echo "  $kind: $lf of $JOINS leaves: the group still flowed 3 s later"
done
if [[ -n ${R[igmpproxyd]:-} && -n ${R[igmpproxy]:-} ]]; then
    read -r _ _ ajm ajp _ alm alp _ asj aok _ _ _ acms acs _ ahwm <<<"${R[igmpproxyd]}"
    read -r _ _ bjm bjp _ blm blp _ bsj bok _ _ _ bcms bcs _ bhwm <<<"${R[igmpproxy]}"
    # The scale joins compare only when both delivered the same groups.
    [[ $aok == "$bok" ]] || asj=-
    awk -v ajm="$ajm" -v bjm="$bjm" -v ajp="$ajp" -v bjp="$bjp" -v alm="$alm" -v blm="$blm" \
        -v alp="$alp" -v blp="$blp" -v asj="${asj%/*}" -v bsj="${bsj%/*}" -v ac="$acms" -v bc="$bcms" \
        -v acs="$acs" -v bcs="$bcs" -v ar="$ahwm" -v br="$bhwm" '
        function r(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("x%.2f", a / b) : "n/a" }
        BEGIN { printf "igmpproxyd / igmpproxy: join median %s (p90 %s), leave median %s (p90 %s), scale join median %s,\n",
                r(ajm, bjm), r(ajp, bjp), r(alm, blm), r(alp, blp), r(asj, bsj)
                printf "                        CPU %s (utime+stime %s), peak RSS %s\n", r(ac, bc), r(acs, bcs), r(ar, br) }'
fi
cat <<EOF
join: IP_ADD_MEMBERSHIP in deco to the first datagram (kernel receive timestamp); leave:
 IP_DROP_MEMBERSHIP to the last datagram of the group the router sent into the lan ("-": never
 stopped within 3 s; 0.0: not one more). scale join: each receiver socket's join to its first
 datagram, median/max over all the groups ("-" max: some never came). groups ok: groups that
 delivered at least half their packets over the second half of the $SPAN s; hosts ok: receivers
 with all their groups ok. upstream: groups the isp switch forwards to the router, i.e. the
 proxy reported them there. CPU ms: the proxy's run time over the $SPAN s (schedstat, all
 threads); CPU s: utime+stime over the same span. peak RSS: VmHWM at the end.
EOF
