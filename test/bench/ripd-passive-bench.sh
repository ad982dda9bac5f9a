#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark: how fast ripd-passive turns a big RIP table into kernel routes, and how much memory
# it needs, next to BIRD 2 doing the same job with its own kernel protocol.
#
#   Run (root, bird2, python3):
#     test/bench/ripd-passive-bench.sh build/ripd-passive/ripd-passive [N=10000]
#   Environment: BENCH_RATE (link rate isp -> router, tc tbf; default 100mbit; 0 = unshaped
#                veth, where both receivers lose the tail of each 400-packet burst in their
#                socket buffer and convergence takes many update intervals),
#                BENCH_UPDATE (announcer's RIP update interval, default 5 s),
#                BENCH_RUNS (runs per receiver, medians reported; default 3),
#                BENCH_TIMEOUT (per run, default 120 s), BENCH_STATE_FILE (ripd-passive's
#                state file; empty disables it). Not a meson test: run on demand.
#
#   +------------------- isp -------------------+
#   | BIRD announcer: N static /24 (blackhole)  |
#   | exported by RIPv2 multicast on vlan2      |
#   | bridge vlan2 10.128.0.1/9                 |
#   | port r-vlan2: tc tbf BENCH_RATE           |
#   +----|--------------------------------------+
#        | veth
#   +----|---------------------------------------+
#   | vlan2 10.214.1.2/9                         |
#   | receiver A: ripd-passive  (proto zebra)    |
#   |   -- or, in fresh namespaces --            |
#   | receiver B: BIRD rip + kernel export all   |
#   |             (proto bird)                   |
#   | probe: AF_PACKET on vlan2 stamps the first |
#   | RIP response; a netlink dump every 20 ms   |
#   | counts the receiver's routes               |
#   +--------------------------------------------+
#
# Measured per receiver: seconds from the first RIP Response on the router's vlan2 to N routes
# in the kernel, routes/s, the receiver's peak RSS (VmHWM) and CPU time (utime + stime) at the
# end, and the UDP datagrams the router's kernel dropped for a full socket buffer (RcvbufErrors).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab
source "$HERE/../lab/lib.sh"

UPDATE=${BENCH_UPDATE:-5}
RATE=${BENCH_RATE:-100mbit}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-120}

# --- one receiver, in its own namespaces: "--one ripd|bird RIPD N" prints a RESULT line ---------
if [[ ${1:-} == --one ]]; then
    kind=$2 ripd=$3 N=$4
    lab_init
    lab_seed_wan
    if [[ $RATE != 0 ]]; then
        # Shape isp -> router like a real access link; the queue holds a whole update.
        lab_exec isp tc qdisc add dev r-vlan2 root tbf rate "$RATE" burst 32kb limit 8mb ||
            lab_fail "tc tbf on isp:r-vlan2 failed (BENCH_RATE=0 runs unshaped)"
    fi

    # The announcer: N distinct /24s from 20.0.0.0 upwards.
    ann=$LAB_DIR/announcer.conf
    {
        echo "router id 10.128.0.1;"
        echo "log \"$LAB_DIR/announcer.log.bird\" { warning, error, fatal };"
        echo "protocol device { scan time 60; }"
        echo "protocol static bulk { ipv4 { import all; };"
        awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
            printf "  route %d.%d.%d.0/24 blackhole;\n", 20 + int(i / 65536), int(i / 256) % 256, i % 256 }'
        echo "}"
        echo "protocol rip announce { ipv4 { import none; export all; };"
        echo "  interface \"vlan2\" { version 2; mode multicast; update time $UPDATE; }; }"
    } >"$ann"

    case $kind in
        ripd)
            proto=zebra protonum=11
            conf=$LAB_DIR/ripd-passive.conf
            cat >"$conf" <<EOF
[global]
proto = zebra
user = nobody
max-routes = $((N + 1000))
state-file = ${BENCH_STATE_FILE-$LAB_DIR/run/ripd-passive.json}

[interface vlan2]
version = 2
neighbors = 10.128.0.1
EOF
            chmod 644 "$conf"
            lab_spawn router "$LAB_DIR/receiver.log" "$ripd" -c "$conf" -f
            rpid=$LAB_LAST_PID
            ;;
        bird)
            proto=bird protonum=12
            conf=$LAB_DIR/receiver.conf
            cat >"$conf" <<EOF
router id 10.214.1.2;
log "$LAB_DIR/receiver.log.bird" { warning, error, fatal };
protocol device { scan time 60; }
protocol kernel { ipv4 { import none; export all; }; scan time 600; }
protocol rip listen {
  ipv4 { import all; export none; };
  interface "vlan2" { version 2; mode multicast; };
}
EOF
            lab_bird_start router receiver "$conf"
            rpid=$LAB_LAST_PID
            ;;
        *) lab_fail "unknown receiver $kind" ;;
    esac
    joined() { lab_ip router maddr show dev vlan2 | grep -q '224\.0\.0\.9'; }
    wait_for 10 joined || lab_fail "$kind receiver did not join 224.0.0.9 on vlan2: $(tail -n5 "$LAB_DIR/receiver.log")"

    cat >"$LAB_DIR/probe.py" <<'EOF'
import os, select, socket, struct, sys, time
ifname, protonum, n, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
pk = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
pk.bind((ifname, 0x0800))
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
nl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
seq = 0
TRACE = os.environ.get("BENCH_TRACE")
ANNOUNCER = socket.inet_aton("10.128.0.1")

def count_routes():
    global seq
    seq += 1
    # RTM_GETROUTE dump, rtmsg family AF_INET.
    req = struct.pack("=IHHII", 16 + 12, 26, 0x301, seq, 0) + struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 0, 0, 0, 0, 0)
    nl.send(req)
    total = 0
    while True:
        buf = nl.recv(1 << 20)
        off = 0
        while off + 16 <= len(buf):
            ln, typ = struct.unpack_from("=IH", buf, off)
            if typ == 3:  # NLMSG_DONE
                return total
            if typ == 24 and buf[off + 16 + 4] == 254 and buf[off + 16 + 5] == protonum:
                total += 1
            off += (ln + 3) & ~3

print("ready", flush=True)
deadline = time.time() + timeout
t_first = None
# Phase 1: stamp the first RIP Response (UDP to port 520, command 2) from the announcer.
while t_first is None and time.time() < deadline:
    r, _, _ = select.select([pk], [], [], max(0.0, deadline - time.time()))
    if not r:
        break
    pkt = pk.recv(2048)
    now = time.time()
    ihl = (pkt[0] & 15) * 4
    if pkt[9] == 17 and pkt[12:16] == ANNOUNCER and len(pkt) > ihl + 8 \
            and struct.unpack_from("!H", pkt, ihl + 2)[0] == 520 and pkt[ihl + 8] == 2:
        t_first = now
pk.close()
# Phase 2: count the receiver's routes every 20 ms until there are n.
count = 0
tick = time.time()
while t_first is not None and time.time() < deadline:
    count = count_routes()
    if TRACE:  # BENCH_TRACE=1 LAB_KEEP=1: the count over time, in probe.out
        print(f"t={time.time() - t_first:.3f} {count}", file=sys.stderr)
    if count >= n:
        print(f"done {t_first:.6f} {time.time():.6f} {count}", flush=True)
        sys.exit(0)
    tick += 0.02
    time.sleep(max(0.0, tick - time.time()))
print(f"timeout {t_first or 0:.6f} {time.time():.6f} {count}", flush=True)
sys.exit(1)
EOF
    lab_spawn router "$LAB_DIR/probe.out" python3 "$LAB_DIR/probe.py" vlan2 "$protonum" "$N" "$TIMEOUT"
    probe=$LAB_LAST_PID
    wait_for 10 grep -q ready "$LAB_DIR/probe.out" || lab_fail "probe did not start: $(cat "$LAB_DIR/probe.out")"

    lab_bird_start isp announcer "$ann"
    wait "$probe"
    prc=$?
    read -r what t_first t_done count < <(grep -E '^(done|timeout)' "$LAB_DIR/probe.out")
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$rpid/status" 2>/dev/null)
    # UDP datagrams the router's kernel dropped because a socket buffer was full.
    rcvbuf=$(lab_exec router awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp)
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$rpid/stat" 2>/dev/null)
    lab_alive "$rpid" || lab_log "$kind receiver died: $(tail -n5 "$LAB_DIR/receiver.log")"
    if [[ $prc -ne 0 || $what != "done" ]]; then
        lab_log "$kind: only $count of $N $proto routes after ${TIMEOUT}s"
        echo "RESULT $kind - ${hwm:--} $count $rcvbuf ${cpu:--}"
        exit 1
    fi
    echo "RESULT $kind $(awk -v a="$t_first" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }') ${hwm:--} $count $rcvbuf ${cpu:--}"
    exit 0
fi

# --- driver ---------------------------------------------------------------------------------------
ripd=${1:-}
N=${2:-10000}
[[ -n $ripd && -x $ripd ]] || { echo "usage: $0 PATH/TO/ripd-passive [N]" >&2; exit 64; }
ripd=$(realpath "$ripd")
lab_require_root
lab_require_cmd bird birdc python3
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody'"

# median COLUMN FILE: median of a RESULT column over the runs ("-" when a run failed).
median() {
    awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0 || v[1] == "-") print "-"; else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A secs hwm drops cpu
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for kind in ripd bird; do
    : >"$results"
    for ((run = 1; run <= RUNS; run++)); do
        line=$("$0" --one "$kind" "$ripd" "$N" | grep '^RESULT')
        read -r _ _ s h c d u <<<"$line"
        echo "$kind run $run: ${s:-?} s to $N routes (got ${c:-?}), peak RSS ${h:-?} KiB," \
            "CPU ${u:-?} s, ${d:-?} datagrams lost to a full socket buffer" >&2
        [[ -n $line ]] && echo "$line" >>"$results"
    done
    # RESULT kind secs hwm count drops cpu
    secs[$kind]=$(median 3 "$results") hwm[$kind]=$(median 4 "$results")
    drops[$kind]=$(median 6 "$results") cpu[$kind]=$(median 7 "$results")
done

printf '\nN = %d prefixes (RIPv2 /24s, %d packets per update every %s s; link %s); median of %d runs\n' \
    "$N" $(((N + 24) / 25)) "$UPDATE" "$([[ $RATE == 0 ]] && echo unshaped || echo "$RATE")" "$RUNS"
printf '%-22s %8s %9s %13s %7s %13s\n' receiver "s to N" "routes/s" "peak RSS KiB" "CPU s" "rcvbuf drops"
for kind in ripd bird; do
    name=$([[ $kind == ripd ]] && echo "ripd-passive" || echo "BIRD 2 (rip + kernel)")
    rate=$(awk -v s="${secs[$kind]}" -v n="$N" 'BEGIN { if (s + 0 > 0) printf "%.0f", n / s; else print "-" }')
    printf '%-22s %8s %9s %13s %7s %13s\n' "$name" "${secs[$kind]}" "$rate" "${hwm[$kind]}" \
        "${cpu[$kind]}" "${drops[$kind]}"
done
awk -v a="${secs[ripd]}" -v b="${secs[bird]}" -v ra="${hwm[ripd]}" -v rb="${hwm[bird]}" \
    -v ca="${cpu[ripd]}" -v cb="${cpu[bird]}" 'BEGIN {
    printf "ripd-passive / BIRD:";
    if (a + 0 > 0 && b + 0 > 0) printf " time to N x%.2f", a / b; else printf " time to N n/a";
    if (ra + 0 > 0 && rb + 0 > 0) printf ", peak RSS x%.2f", ra / rb; else printf ", peak RSS n/a";
    if (ca + 0 > 0 && cb + 0 > 0) printf ", CPU x%.2f\n", ca / cb; else print ", CPU n/a" }'
echo "(rcvbuf drops: datagrams the router's kernel discarded because the receiver's socket buffer"
echo " was full; each loss costs an update interval. Time to N varies with them: see the runs above.)"
