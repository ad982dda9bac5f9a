#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# igmpproxyd in the seed's topology: real multicast from the isp side, receivers using the
# kernel's own IGMP (forced v2, then v3) behind a snooping bridge.
#
#   +------------------------------------ isp -------------------------------------------+
#   | bridge vlan2 10.128.0.1/9, plus the stream sources 172.26.80.10, 172.26.22.5 and      |
#   | 198.51.100.7 (/32 on the bridge): tool "send", 20 datagrams/s per (source, group)     |
#   | tool "sniff --igmp" on vlan2: the router's upstream reports/leaves (cases 5, 8)       |
#   | tool "query" (case 5, late): an IGMPv2 querier from 10.128.0.1                        |
#   +----------|----------------------------------------------------------------------------+
#              | port r-vlan2 (veth)
#   +----------|----------------------------------------------------------------------------+
#   |  vlan2 10.214.1.2/9 (upstream)      router: igmpproxyd -f -vv, user nobody            |
#   |  vlan100 192.168.1.1/24 (downstream) tool "sniff" on vlan100: queries, reports and     |
#   |  rp_filter 0 (but case 11)           the forwarded datagrams (cases 1-4, 9)            |
#   +----------|----------------------------------------------------------------------------+
#              | port p-router (veth)
#   +----------|------------------------- lan -----------------------------------------------+
#   |  bridge br0: mcast_snooping 1, mcast_querier 1 (the home switch), here IGMPv3          |
#   |        port p-deco                              port p-pc                              |
#   +-----------|------------------------------------------|----------------------------------+
#         +-----|----------------------+          +--------|-----------------------+
#         | deco eth0 192.168.1.50/24  |          | pc eth0 192.168.1.60/24        |
#         | tool "recv": kernel IGMP   |          | tool "recv" + tool "sniff" on  |
#         | (force_igmp_version 2 / 3) |          | eth0 (what the wire brings)    |
#         +----------------------------+          +--------------------------------+
#
# "tool" is igmpproxyd-tool.py next to this script (send, recv, sniff, query; see its --help).
# Groups: 239.0.2.10/.11 cases 1-2 (v2/v3), .12/.13 case 8 controls, .20/.21 case 3,
# .30 case 6 (from 172.26.22.5 and 198.51.100.7), .40/.41 case 4, .50 case 11,
# .155 the long-lived channel of case 5 (pc), 224.0.0.251 case 8.
#
# Cases (PASS/FAIL line each; exit 99 if any failed, 77 if root/netns/python3/jq are missing):
#   10  -n: the seed's classic igmpproxy.conf and the packaged example exit 0; bad INI and
#       classic files exit 78 with file:line
#   9   startup general queries on vlan100 (startup-query-count 2, 1 s apart), then every
#       query-interval (7 s)
#   for IGMPv2 and IGMPv3 receivers:
#   1   a join reaches the joined receiver only (the pc's wire stays silent); ip mroute
#       shows (S,G) Iif vlan2 Oifs vlan100; the upstream sees a report
#   2   quickleave: the flow out of vlan100 stops < 2 s after IP_DROP_MEMBERSHIP, the MFC
#       entry loses vlan100, the upstream sees a leave
#   3   deco and pc on one group: the pc leaves, the deco keeps it (no gap > 1 s), no
#       upstream leave
#   8   224.0.0.251 joined: no upstream report, no MFC entry, no datagram
#   6   a source outside altnet (198.51.100.7) is not forwarded; once the router routes it via
#       vlan2 (route-check) it is
#   5   upstream: with no querier the report for the pc's channel is refreshed every 10 s (>= 2
#       refreshes, no leave); an IGMPv2 querier upstream is answered with v2 reports; the
#       last leave goes upstream
#   7   kill -9: no MFC entry and no VIF remain; after a restart the streams flow again
#   4   without quickleave: group-specific queries after the leave, the flow stops after the
#       last member query time (~2 s), not before the queries (v2 and v3); SIGTERM exits 0
#   11  rp_filter = 1: the log holds the exact sysctl command (and the stream is dead: the
#       seed's trap); with fix-sysctl = yes the daemon sets 0 itself and the stream flows
#
# The last line gives the timings: join-to-first-packet (IP_ADD_MEMBERSHIP to the first
# datagram in the deco's socket) and leave-to-stop (IP_DROP_MEMBERSHIP to the end of the flow
# out of vlan100, to within one datagram interval), for v2 and v3.
#
# Usage: test/integration/igmpproxyd.sh [PATH/TO/igmpproxyd]   (or IGMPPROXYD=...)
#        LAB_KEEP=1 keeps the scratch directory (configs, logs, captures).

# shellcheck disable=SC2317 # the small predicates defined in-line are called through wait_for
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab
source "$HERE/../lab/lib.sh"
TOOL=$HERE/igmpproxyd-tool.py

igmpd=${1:-${IGMPPROXYD:-$HERE/../../build/igmpproxyd/igmpproxyd}}
[[ -x $igmpd ]] || lab_skip "no igmpproxyd binary at '$igmpd'"
igmpd=$(realpath "$igmpd")
lab_require_root
lab_require_cmd python3 jq timeout
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody'"
lab_init

info() { printf '    %s\n' "$*"; }

STATE=$LAB_DIR/run/igmpproxyd.json
CUR_LOG=/dev/null
SN_ROUTER=$LAB_DIR/sniff-router-vlan100.log
SN_ISP=$LAB_DIR/sniff-isp-vlan2.log
SN_PC=$LAB_DIR/sniff-pc-eth0.log
RX_DECO=$LAB_DIR/rx-deco.log
RX_PC=$LAB_DIR/rx-pc.log

DUMPS=0
dump_logs() {
    ((DUMPS++ < 3)) || return 0
    lab_log "--- ip mroute (router)"
    lab_ip router mroute show >&2 2>/dev/null
    lab_log "--- /proc/net/ip_mr_vif (router)"
    lab_exec router cat /proc/net/ip_mr_vif >&2 2>/dev/null
    lab_log "--- igmpproxyd log (last 40 lines of $CUR_LOG)"
    tail -n 40 "$CUR_LOG" >&2 2>/dev/null
    lab_log "--- state file"
    cat "$STATE" >&2 2>/dev/null
    lab_log "--- IGMP on router vlan100 (last 15)"
    grep '^igmp' "$SN_ROUTER" 2>/dev/null | tail -n 15 >&2
    lab_log "--- IGMP on isp vlan2 (last 15)"
    grep '^igmp' "$SN_ISP" 2>/dev/null | tail -n 15 >&2
}

# ---- small arithmetic on wall-clock times (seconds with microseconds) -------------------------
flt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; } # a < b
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
fadd() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
# past T: the wall clock is beyond T.
past() { flt "$1" "$(lab_now)"; }
# wait_until T: let the clock pass T (the end of a measuring window, not a synchronisation).
wait_until() {
    wait_for "$(awk -v t="$1" -v n="$(lab_now)" 'BEGIN { d = t - n + 1; printf "%.1f", d < 1 ? 1 : d }')" past "$1"
}

# ---- case 10: -n (no namespaces needed) --------------------------------------------------------
# The seed's /etc/igmpproxy.conf, byte for byte as the write-up prints it.
seedconf=$LAB_DIR/igmpproxy.conf
cat >"$seedconf" <<'EOF'
quickleave

phyint vlan2 upstream  ratelimit 0  threshold 1
        altnet 172.0.0.0/8

phyint vlan100 downstream  ratelimit 0  threshold 1

phyint enp2s0f0 disabled
phyint lo disabled
phyint ppp0 disabled
phyint vlan6 disabled
EOF
out=$("$igmpd" -n -c "$seedconf" 2>&1)
rc=$?
if [[ $rc -eq 0 && $out == *"upstream vlan2, 1 downstream"* ]]; then
    pass "10: -n on the seed's classic igmpproxy.conf -> exit 0: $(tr '\n' ' ' <<<"$out")"
else
    fail "10-seed" "-n on the seed's igmpproxy.conf: exit $rc (want 0), output: $out"
fi
example=$HERE/../../packaging/examples/igmpproxyd.conf
if [[ -f $example ]]; then
    out=$("$igmpd" -n -c "$example" 2>&1)
    rc=$?
    if [[ $rc -eq 0 ]]; then
        pass "10: -n on packaging/examples/igmpproxyd.conf -> exit 0"
    else
        fail "10-example" "-n on $example: exit $rc (want 0): $out"
    fi
fi
bad=$LAB_DIR/bad.conf
printf '[global]\nquickleave = yes\nquery-interval = 0\n[upstream vlan2]\n[downstream vlan100]\n' >"$bad"
out=$("$igmpd" -n -c "$bad" 2>&1)
rc=$?
if [[ $rc -eq 78 && $out == *"$bad:3:"* ]]; then
    pass "10: -n on query-interval = 0 (INI) -> exit 78, '$(head -n1 <<<"$out")'"
else
    fail "10-bad-ini" "-n on query-interval = 0: exit $rc (want 78), output '$out' (want '$bad:3: ...')"
fi
badc=$LAB_DIR/bad-classic.conf
printf 'quickleave\nphyint vlan2 upstream\n        altnet 172.0.0.0/8\nphyint vlan100 downstream\nfrobnicate 3\n' >"$badc"
out=$("$igmpd" -n -c "$badc" 2>&1)
rc=$?
if [[ $rc -eq 78 && $out == *"$badc:5:"* ]]; then
    pass "10: -n on an unknown word (classic) -> exit 78, '$(head -n1 <<<"$out")'"
else
    fail "10-bad-classic" "-n on 'frobnicate' at line 5: exit $rc (want 78), output '$out' (want '$badc:5: ...')"
fi

# ---- topology -----------------------------------------------------------------------------------
lab_seed_topology
lab_exec router test -e /proc/net/ip_mr_vif || lab_skip "kernel without multicast routing (CONFIG_IP_MROUTE)"
# The bridge's own querier speaks IGMPv2 by default, and a Linux host that hears an IGMPv2
# query answers in v2 for the next 260 s whatever force_igmp_version says (only 1 and 2 are
# forced; 3 is a ceiling). It sent one to every port as it was added: make it speak v3 and give
# deco and pc fresh links, which have heard nothing yet. Case 1 checks the version on the wire.
lab_ip lan link set br0 type bridge mcast_igmp_version 3 2>/dev/null ||
    lab_skip "the bridge cannot speak IGMPv3 (mcast_igmp_version needs Linux >= 5.10)"
for h in deco pc; do
    lab_ip lan link del "p-$h"
    lab_attach "$h" eth0 lan br0 "p-$h"
done
for h in deco:50 pc:60; do
    lab_addr "${h%%:*}" eth0 "192.168.1.${h#*:}/24"
    lab_ip "${h%%:*}" route add default via 192.168.1.1 # as DHCP gives it; also passes rp_filter
done
lab_exec isp ip addr add 172.26.80.10/32 dev vlan2
lab_exec isp ip addr add 172.26.22.5/32 dev vlan2
lab_exec isp ip addr add 198.51.100.7/32 dev vlan2
# The seed's "routes don't activate" fix (case 11 undoes it); the host's values are inherited.
lab_exec router sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv4.conf.vlan2.rp_filter=0 net.ipv4.conf.vlan100.rp_filter=0

# spawn_tool NS LOG ARGS...: start the helper and wait for its "ready" line.
spawn_tool() {
    local ns=$1 log=$2 pid
    shift 2
    lab_spawn "$ns" "$log" python3 -u "$TOOL" "$@"
    pid=$LAB_LAST_PID
    ready_or_dead() { grep -q '^ready' "$log" || ! lab_alive "$pid"; }
    if ! wait_for 10 ready_or_dead || ! grep -q '^ready' "$log"; then
        abort "tool-$1-$3" "helper '$*' in $ns did not start: $(tail -n 5 "$log")"
    fi
    LAB_LAST_PID=$pid
}
spawn_tool router "$SN_ROUTER" sniff --ifname vlan100 --igmp --udp 8208
spawn_tool isp "$SN_ISP" sniff --ifname vlan2 --igmp
spawn_tool pc "$SN_PC" sniff --ifname eth0 --udp 8208
for h in deco pc; do
    mkfifo "$LAB_DIR/rx-$h.ctl"
    spawn_tool "$h" "$LAB_DIR/rx-$h.log" recv --ifname eth0 --ctl "$LAB_DIR/rx-$h.ctl"
    printf -v "RXPID_$h" '%s' "$LAB_LAST_PID"
done
flows=()
for g in 10 11 12 13 20 21 40 41 50 155; do flows+=(--flow "172.26.80.10,239.0.2.$g"); done
flows+=(--flow "172.26.80.10,224.0.0.251" --flow "172.26.22.5,239.0.2.30" --flow "198.51.100.7,239.0.2.30")
SEND_INTERVAL=0.05 # 20 datagrams a second per flow
spawn_tool isp "$LAB_DIR/send.log" send --interval "$SEND_INTERVAL" "${flows[@]}"

# ---- receivers ----------------------------------------------------------------------------------
# rx HOST CMD GROUP: join/leave GROUP in HOST's receiver; RX_T = the time just before its
# setsockopt (whatever the kernel does about it, reports included, comes after RX_T).
RX_T=
rx() {
    local host=$1 cmd=$2 g=$3 log=$LAB_DIR/rx-$1.log pidvar=RXPID_$1 n
    lab_alive "${!pidvar}" || abort "rx-$host" "the receiver in $host died: $(tail -n 3 "$log")"
    n=$(awk -v c="$cmd" -v g="$g" '$1 == c && $3 == g' "$log" | wc -l)
    # shellcheck disable=SC2016 # the inner shell expands its own arguments
    timeout 2 bash -c 'printf "%s %s\n" "$1" "$2" >"$3"' _ "$cmd" "$g" "$LAB_DIR/rx-$host.ctl" ||
        abort "rx-$host" "cannot write to the receiver of $host"
    acked() { [[ $(awk -v c="$cmd" -v g="$g" '$1 == c && $3 == g' "$log" | wc -l) -gt $n ]]; }
    wait_for 3 acked || abort "rx-$host-$cmd" "$host: '$cmd $g' not done: $(grep '^error' "$log" | tail -n 3)"
    RX_T=$(awk -v c="$cmd" -v g="$g" '$1 == c && $3 == g { t = $2 } END { print t }' "$log")
}
set_version() {
    local h
    for h in deco pc; do lab_exec "$h" sysctl -qw "net.ipv4.conf.eth0.force_igmp_version=$1"; done
}

# rx_count LOG GROUP FROM TO [SRC]: datagrams of GROUP the receiver got in [FROM, TO].
rx_count() {
    awk -v g="$2" -v a="$3" -v b="$4" -v s="${5:-}" \
        '$1 == "rx" && $3 == g && $2 + 0 >= a + 0 && $2 + 0 <= b + 0 && (s == "" || $4 == s) { n++ }
         END { print n + 0 }' "$1"
}
# rx_first LOG GROUP FROM [SRC]: time of the first datagram at or after FROM (empty: none).
rx_first() {
    awk -v g="$2" -v a="$3" -v s="${4:-}" \
        '$1 == "rx" && $3 == g && $2 + 0 >= a + 0 && (s == "" || $4 == s) { print $2; exit }' "$1"
}
got_since() { [[ -n $(rx_first "$@") ]]; }
# rx_maxgap LOG GROUP FROM TO: the longest silence in [FROM, TO], edges included.
rx_maxgap() {
    awk -v g="$2" -v a="$3" -v b="$4" \
        'BEGIN { p = a + 0 }
         $1 == "rx" && $3 == g && $2 + 0 >= a + 0 && $2 + 0 <= b + 0 { if ($2 - p > m) m = $2 - p; p = $2 }
         END { if (b - p > m) m = b - p; printf "%.3f", m }' "$1"
}

# ---- what the router forwards out of vlan100 (router sniffer) ----------------------------------
fwd_count() { # GROUP FROM TO
    awk -v g="$1" -v a="$2" -v b="$3" \
        '$1 == "udp" && $3 == "out" && $5 == g && $2 + 0 >= a + 0 && $2 + 0 <= b + 0 { n++ } END { print n + 0 }' "$SN_ROUTER"
}
fwd_last() { # GROUP FROM: time of the last datagram of GROUP out of vlan100 since FROM (empty: none)
    awk -v g="$1" -v a="$2" '$1 == "udp" && $3 == "out" && $5 == g && $2 + 0 >= a + 0 { t = $2 } END { if (t != "") print t }' "$SN_ROUTER"
}
# fwd_stopped GROUP SINCE: nothing of GROUP out of vlan100 for the last second, and a second
# has passed since SINCE (the stream sends every 50 ms: a 1 s silence is a stop).
fwd_stopped() {
    local t
    t=$(lab_now)
    flt "$(fadd "$2" 1.0)" "$t" && [[ $(fwd_count "$1" "$(fadd "$t" -1.0)" "$t") -eq 0 ]]
}
pc_wire_count() { # GROUP FROM TO
    awk -v g="$1" -v a="$2" -v b="$3" \
        '$1 == "udp" && $5 == g && $2 + 0 >= a + 0 && $2 + 0 <= b + 0 { n++ } END { print n + 0 }' "$SN_PC"
}
# router_queries GROUP FROM: times of the router's queries for GROUP (0.0.0.0: general).
router_queries() {
    awk -v g="group=$1" -v a="$2" \
        '$1 == "igmp" && $3 == "out" && $4 == "192.168.1.1" && $6 == "query" && $8 == g && $2 + 0 >= a + 0 { print $2, $7 }' "$SN_ROUTER"
}

# ---- what the router says upstream (isp sniffer) -----------------------------------------------
# up_events GROUP: "T report|leave KIND SRC" per record for GROUP sent by the router on vlan2.
up_events() {
    awk -v g="$1" '$1 == "igmp" && $3 == "in" {
        if (($6 == "v2report" || $6 == "v1report") && $7 == g) print $2, "report", $6, $4
        else if ($6 == "leave" && $7 == g) print $2, "leave", "v2leave", $4
        else if ($6 == "v3report")
            for (i = 7; i <= NF; i++) {
                split($i, r, ":")
                if (r[2] != g) continue
                k = (((r[1] == "to_in" || r[1] == "is_in") && r[3] == 0) || r[1] == "block") ? "leave" : "report"
                print $2, k, r[1], $4
            }
    }' "$SN_ISP"
}
# up_first GROUP KIND FROM: time of the first upstream KIND (report|leave) for GROUP after FROM.
up_first() { up_events "$1" | awk -v k="$2" -v a="$3" '$2 == k && $1 + 0 >= a + 0 { print $1; exit }'; }
up_seen() { [[ -n $(up_first "$@") ]]; }
up_count() { up_events "$1" | awk -v k="$2" -v a="$3" -v b="$4" '$2 == k && $1 + 0 >= a + 0 && $1 + 0 <= b + 0 { n++ } END { print n + 0 }'; }

# ---- the kernel's MFC and VIFs in router ---------------------------------------------------------
# mfc_line S G: ip mroute's line for (S,G), spaces removed ("(S,G)Iif:vlan2Oifs:vlan100State:...").
mfc_line() { lab_ip router mroute show 2>/dev/null | tr -d ' \t' | grep -F "($1,$2)" | head -n1; }
mfc_fwd() { [[ $(mfc_line "$1" "$2") == *"Iif:vlan2Oifs:vlan100"* ]]; }
mfc_no_oif() { [[ $(mfc_line "$1" "$2") != *"Oifs:vlan100"* ]]; }
# mfc_show S G: ip mroute's line for (S,G) as printed (blanks squeezed); G alone: every line of G.
mfc_show() {
    lab_ip router mroute show 2>/dev/null | tr -s ' \t' ' ' |
        awk -v k="${2:+($1,$2)}" -v g="${2:-$1}" '{ l = $0; gsub(/ /, "", l) }
            (k != "" && index(l, k)) || (k == "" && index(l, "," g ")")) { printf "%s%s", sep, $0; sep = "; " }'
}
mfc_empty() { [[ -z $(lab_ip router mroute show 2>/dev/null) ]]; }
vif_count() { lab_exec router awk 'NR > 1 && NF > 0 { n++ } END { print n + 0 }' /proc/net/ip_mr_vif; }
no_vifs() { [[ $(vif_count) -eq 0 ]]; }
drops() { jq -r --arg r "$1" '.drops[$r] // 0' "$STATE" 2>/dev/null || echo 0; }

# ---- the daemon ---------------------------------------------------------------------------------
# write_conf FILE QUICKLEAVE [GLOBAL_LINE...]
write_conf() {
    local file=$1 ql=$2 l
    shift 2
    {
        echo "[global]"
        echo "quickleave = $ql"
        echo "user = nobody"
        echo "state-file = $STATE"
        echo "upstream-refresh = 10"
        echo "query-interval = 7"
        echo "query-response-interval = 2"
        echo "startup-query-interval = 1"
        echo "startup-query-count = 2"
        for l in "$@"; do echo "$l"; done
        echo
        echo "[upstream vlan2]"
        echo "altnet = 172.0.0.0/8"
        echo "route-check = yes"
        echo
        echo "[downstream vlan100]"
        echo
        echo "[disabled]"
        echo "interfaces = lo vlan3 vlan6"
    } >"$file"
    chmod 644 "$file"
}

IGMPD_PID=
T_START=
# start_daemon CONF TAG: run it in router; wait until it has its two VIFs and is querier.
start_daemon() {
    rm -f "$STATE"
    CUR_LOG=$LAB_DIR/$2.log
    T_START=$(lab_now)
    lab_spawn router "$CUR_LOG" "$igmpd" -c "$1" -f -vv
    IGMPD_PID=$LAB_LAST_PID
    serving_or_dead() { ! lab_alive "$IGMPD_PID" || { [[ $(vif_count) -eq 2 ]] && grep -q 'started' "$CUR_LOG"; }; }
    if ! wait_for 10 serving_or_dead || ! lab_alive "$IGMPD_PID"; then
        abort "start-$2" "igmpproxyd did not start (alive: $(lab_alive "$IGMPD_PID" && echo yes || echo no), VIFs: $(vif_count))"
    fi
}

conf_ql=$LAB_DIR/quickleave.conf
write_conf "$conf_ql" yes
start_daemon "$conf_ql" igmpproxyd-quickleave

# ---- 9: startup queries ---------------------------------------------------------------------------
two_general() { [[ $(router_queries 0.0.0.0 "$T_START" | wc -l) -ge 2 ]]; }
if wait_for 5 two_general; then
    mapfile -t gq < <(router_queries 0.0.0.0 "$T_START")
    q1=${gq[0]%% *} q2=${gq[1]%% *}
    gap=$(fsub "$q2" "$q1")
    if flt 0.6 "$gap" && flt "$gap" 1.8; then
        pass "9: startup general queries on vlan100 at +$(fsub "$q1" "$T_START") s and +$(fsub "$q2" "$T_START") s ($gap s apart, startup-query-interval 1), ${gq[0]#* }"
    else
        fail "9" "startup queries $gap s apart, want about 1 s (startup-query-interval = 1): ${gq[*]}"
    fi
else
    fail "9" "fewer than 2 general queries from 192.168.1.1 on vlan100 within 5 s of the start: $(router_queries 0.0.0.0 "$T_START" | tr '\n' ';')"
fi

# Case 5's long-lived channel: the pc watches 239.0.2.155 from now until the end of case 5.
# (Joined before the wait below: only case 1 needs it.)
G155=239.0.2.155
rx pc join "$G155"
T155=$RX_T
if wait_for 3 got_since "$RX_PC" "$G155" "$T155"; then
    pass "5: pc joined $G155 (its channel for the refresh check): first datagram after $(fsub "$(rx_first "$RX_PC" "$G155" "$T155")" "$T155") s"
else
    fail "5-join" "pc joined $G155 (kernel default IGMPv3) but got nothing within 3 s"
fi

# ---- 1, 2, 3, 8 with IGMPv2 and with IGMPv3 receivers ---------------------------------------------
# A Linux bridge that hears a querier for the first time floods every group for that query's
# Max Resp Time (2 s), while it learns who is a member: case 1 would see the pc flooded. Wait
# until the first query of the daemon is 2.5 s old.
first_q=$(router_queries 0.0.0.0 "$T_START" | awk '{ print $1; exit }')
wait_until "$(fadd "${first_q:-$T_START}" 2.5)"
J2P=() L2S=()
for v in 2 3; do
    set_version "$v"
    G=239.0.2.$((8 + v))  # .10 (v2) / .11 (v3)
    S=172.26.80.10

    # -- 1: join; only the joined receiver gets it
    rx deco join "$G"
    tj=$RX_T
    flowing=0
    if wait_for 3 got_since "$RX_DECO" "$G" "$tj"; then
        flowing=1
        j2p=$(fsub "$(rx_first "$RX_DECO" "$G" "$tj")" "$tj")
        J2P+=("v$v:$j2p")
        pass "1 (v$v): deco joined $G, first datagram after $j2p s"
    else
        fail "1-v$v" "deco joined $G but received nothing within 3 s"
        dump_logs
    fi
    # The receivers really speak the version under test (see the bridge above): the
    # unsolicited report sent on the join. (An answer to a query heard before the sysctl
    # changed may still come in the other version.)
    host_reports() {
        awk -v g="$G" -v a="$tj" '$1 == "igmp" && $3 == "in" && $4 == "192.168.1.50" && $2 + 0 >= a + 0 &&
            (($6 ~ /^v[12]report$/ && $7 == g) || ($6 == "v3report" && index($0, ":" g ":"))) { print $6; exit }' "$SN_ROUTER"
    }
    has_host_report() { [[ -n $(host_reports) ]]; }
    wait_for 2 has_host_report
    kinds=$(host_reports)
    if [[ $kinds == "v${v}report" ]]; then
        pass "1 (v$v): the deco's join on vlan100 is an IGMPv$v report"
    else
        fail "1-v$v-version" "the deco (force_igmp_version=$v) sent '${kinds:-nothing}' for $G, want v${v}report"
    fi
    if wait_for 3 mfc_fwd "$S" "$G"; then
        pass "1 (v$v): ip mroute: $(mfc_show "$S" "$G")"
    else
        fail "1-v$v-mfc" "no '($S,$G) Iif: vlan2 Oifs: vlan100' in ip mroute: $(mfc_show "$G")"
    fi
    state_ok() {
        jq -e --arg g "$G" --arg s "$S" '
            any(.groups[]; .group == $g and .interface == "vlan100" and (.hosts | index("192.168.1.50")))
            and any(.mfc[]; .source == $s and .group == $g and ."oif-vifs" == [1])' "$STATE" >/dev/null 2>&1
    }
    if wait_for 3 state_ok; then
        pass "1 (v$v): state file: $(jq -c --arg g "$G" '(.groups[] | select(.group == $g)), (.mfc[] | select(.group == $g))' "$STATE" | tr '\n' ' ')"
    else
        fail "1-v$v-state" "state file without $G (host 192.168.1.50 on vlan100) and ($S,$G) to VIF 1: $(jq -c '{groups, mfc}' "$STATE" 2>/dev/null)"
    fi
    if wait_for 2 up_seen "$G" report "$tj"; then
        pass "1 (v$v): upstream report for $G $(fsub "$(up_first "$G" report "$tj")" "$tj") s after the join: $(up_events "$G" | awk -v a="$tj" '$1 >= a { print $3, "from", $4; exit }')"
    else
        fail "1-v$v-upstream" "no report for $G on isp's vlan2 within 2 s of the join"
    fi
    # One more second of streaming, then count who got what.
    wait_until "$(fadd "$tj" 1.5)"
    t1=$(lab_now)
    n_deco=$(rx_count "$RX_DECO" "$G" "$tj" "$t1")
    n_pcw=$(pc_wire_count "$G" "$tj" "$t1")
    n_pca=$(rx_count "$RX_PC" "$G" "$tj" "$t1")
    if [[ $n_deco -ge 15 && $n_pcw -eq 0 && $n_pca -eq 0 ]]; then
        pass "1 (v$v): in 1.5 s deco got $n_deco datagrams of $G, the pc (not joined) 0 on its wire, 0 in its socket"
    else
        fail "1-v$v-only" "in 1.5 s: deco $n_deco datagrams of $G (want >= 15), pc wire $n_pcw, pc socket $n_pca (want 0, 0)"
    fi

    # -- 2: quickleave: the flow stops < 2 s after the leave
    rx deco leave "$G"
    tl=$RX_T
    stopped_since() { fwd_stopped "$G" "$tl"; }
    oif_t=
    if wait_for 2 mfc_no_oif "$S" "$G"; then oif_t=$(fsub "$(lab_now)" "$tl"); fi
    if ((!flowing)); then
        fail "2-v$v" "cannot measure the leave: $G never reached the deco (case 1)"
        wait_for 5 stopped_since
    elif wait_for 5 stopped_since; then
        last=$(fwd_last "$G" "$tj")
        # The stop happened between the last datagram forwarded and the next one sent.
        l2s=$(fsub "$(fadd "$last" "$SEND_INTERVAL")" "$tl")
        L2S+=("v$v:$l2s")
        if flt "$l2s" 2.0; then
            pass "2 (v$v): quickleave: the flow of $G out of vlan100 stopped <= $l2s s after IP_DROP_MEMBERSHIP (last datagram at $(fsub "$last" "$tl") s); ($S,$G) lost Oifs vlan100 <= ${oif_t:-?} s after it: $(mfc_show "$S" "$G")"
        else
            fail "2-v$v" "last datagram of $G out of vlan100 $l2s s after the leave (want < 2 s with quickleave)"
        fi
    else
        fail "2-v$v" "$G still forwarded out of vlan100 5 s after the leave: $(mfc_show "$S" "$G")"
        dump_logs
    fi
    [[ -n $oif_t ]] || fail "2-v$v-mfc" "($S,$G) still has Oifs vlan100 2 s after the leave: $(mfc_show "$S" "$G")"
    if wait_for 2 up_seen "$G" leave "$tl"; then
        pass "2 (v$v): upstream leave for $G $(fsub "$(up_first "$G" leave "$tl")" "$tl") s after the last receiver left: $(up_events "$G" | awk -v a="$tl" '$1 >= a && $2 == "leave" { print $3; exit }')"
    else
        fail "2-v$v-upstream" "no leave for $G on isp's vlan2 within 2 s of the last leave"
    fi

    # -- 3: two receivers on one group; one leaves, the other keeps it
    G3=239.0.2.$((18 + v)) # .20 / .21
    rx deco join "$G3"
    td=$RX_T
    rx pc join "$G3"
    tp=$RX_T
    if wait_for 3 got_since "$RX_DECO" "$G3" "$td" && wait_for 3 got_since "$RX_PC" "$G3" "$tp"; then
        wait_until "$(fadd "$tp" 1.0)"
        rx pc leave "$G3"
        tl=$RX_T
        wait_until "$(fadd "$tl" 3.0)"
        t1=$(lab_now)
        gap=$(rx_maxgap "$RX_DECO" "$G3" "$(fadd "$tl" -0.5)" "$t1")
        n_after=$(rx_count "$RX_DECO" "$G3" "$(fadd "$tl" 2.0)" "$t1")
        n_pc=$(rx_count "$RX_PC" "$G3" "$(fadd "$tl" 0.2)" "$t1")
        if flt "$gap" 1.0 && [[ $n_after -ge 10 ]] && mfc_fwd "$S" "$G3"; then
            pass "3 (v$v): pc left $G3, deco kept it: longest gap $gap s over the 3.5 s around the leave, $n_after datagrams 2-3 s after it; pc socket got $n_pc after its leave"
        else
            fail "3-v$v" "after the pc left $G3: deco's longest gap $gap s (want < 1), $n_after datagrams 2-3 s later (want >= 10), MFC: $(mfc_show "$S" "$G3")"
            dump_logs
        fi
        if [[ $(up_count "$G3" leave "$tl" "$t1") -eq 0 ]]; then
            pass "3 (v$v): no upstream leave for $G3 while the deco still watches"
        else
            fail "3-v$v-upstream" "upstream leave for $G3 although the deco still watches: $(up_events "$G3" | awk -v a="$tl" '$1 >= a' | tr '\n' ';')"
        fi
    else
        fail "3-v$v-join" "deco or pc got nothing of $G3 within 3 s of joining"
    fi
    rx deco leave "$G3"
    tl=$RX_T
    stopped_since() { fwd_stopped "$G3" "$tl"; }
    wait_for 5 stopped_since || fail "3-v$v-stop" "$G3 still forwarded 5 s after its last receiver left"

    # -- 8: 224.0.0.251 (mDNS) is never proxied; a routable group joined with it is the control
    GC=239.0.2.$((10 + v)) # .12 / .13
    GL=224.0.0.251
    rx deco join "$GL"
    t8=$RX_T
    rx deco join "$GC"
    if wait_for 3 up_seen "$GC" report "$t8" && wait_for 3 got_since "$RX_DECO" "$GC" "$t8"; then
        # The reports for both groups left deco together; give the 224.0.0.251 one 1.5 s more.
        wait_until "$(fadd "$(up_first "$GC" report "$t8")" 1.5)"
        n_up=$(up_events "$GL" | wc -l)
        n_rx=$(rx_count "$RX_DECO" "$GL" "$t8" "$(lab_now)")
        mfc=$(mfc_show "$GL")
        if [[ $n_up -eq 0 && -z $mfc && $n_rx -eq 0 ]] && ! jq -e --arg g "$GL" '.groups[] | select(.group == $g)' "$STATE" >/dev/null 2>&1; then
            pass "8 (v$v): deco joined $GL: no upstream record, no MFC entry, no datagram, not in the state file's groups; control $GC reported and received"
            info "the deco's reports naming $GL on vlan100: $(awk -v a="$t8" -v g="$GL" '$1 == "igmp" && $4 == "192.168.1.50" && $2 + 0 >= a + 0 &&
                (($6 == "v2report" && $7 == g) || ($6 == "v3report" && index($0, ":" g ":")))' "$SN_ROUTER" | wc -l) (v2: sent to $GL itself, which the router's kernel does not deliver; v3: to 224.0.0.22, the daemon gets them)"
        else
            fail "8-v$v" "$GL: $n_up upstream records, MFC '$mfc', $n_rx datagrams (want 0, none, 0); state groups: $(jq -c '[.groups[].group]' "$STATE" 2>/dev/null)"
        fi
    else
        fail "8-v$v-control" "control group $GC: no upstream report or no datagram within 3 s"
    fi
    rx deco leave "$GL"
    rx deco leave "$GC"
done

# ---- 6: a source outside altnet, then routed via vlan2 -----------------------------------------
G6=239.0.2.30
rx deco join "$G6"
t6=$RX_T
if wait_for 3 got_since "$RX_DECO" "$G6" "$t6" 172.26.22.5; then
    na0=$(drops source-not-accepted)
    wait_until "$(fadd "$t6" 3.0)"
    n_bad=$(rx_count "$RX_DECO" "$G6" "$t6" "$(lab_now)" 198.51.100.7)
    n_good=$(rx_count "$RX_DECO" "$G6" "$t6" "$(lab_now)" 172.26.22.5)
    if [[ $n_bad -eq 0 ]] && ! mfc_fwd 198.51.100.7 "$G6"; then
        pass "6: deco joined $G6: $n_good datagrams from 172.26.22.5 (altnet) and 0 from 198.51.100.7 (no route via vlan2) in 3 s; drops[source-not-accepted] = $na0"
        grep -m1 'not forwarding (198.51.100.7' "$CUR_LOG" | sed 's/^/    log: /'
    else
        fail "6-outside" "198.51.100.7 (outside altnet, not routed via vlan2) forwarded: $n_bad datagrams; $(mfc_show 198.51.100.7 "$G6")"
    fi
    lab_ip router route add 198.51.100.0/24 via 10.128.0.1
    tr6=$(lab_now)
    # The kernel holds the refused (S,G) as unresolved for 10 s before it asks again.
    if wait_for 15 got_since "$RX_DECO" "$G6" "$tr6" 198.51.100.7; then
        pass "6: route-check: with 198.51.100.0/24 via 10.128.0.1 (vlan2), 198.51.100.7 reaches deco $(fsub "$(rx_first "$RX_DECO" "$G6" "$tr6" 198.51.100.7)" "$tr6") s after the route was added: $(mfc_show 198.51.100.7 "$G6")"
    else
        fail "6-route-check" "198.51.100.7 not forwarded within 15 s of 'ip route add 198.51.100.0/24 via 10.128.0.1': $(mfc_show 198.51.100.7 "$G6")"
    fi
    lab_ip router route del 198.51.100.0/24 via 10.128.0.1
else
    fail "6-control" "deco joined $G6 but got nothing from 172.26.22.5 within 3 s"
fi

# ---- 5: upstream refresh without a querier, then a querier ----------------------------------------
wait_until "$(fadd "$T155" 26)"
tq=$(lab_now)
mapfile -t refresh < <(up_events "$G155" | awk -v a="$(fadd "$T155" 2.5)" -v b="$tq" '$2 == "report" && $1 + 0 >= a + 0 && $1 + 0 <= b + 0 { print $1 }')
n_leave=$(up_count "$G155" leave "$T155" "$tq")
gaps=$(printf '%s\n' "${refresh[@]}" | awk 'NR > 1 { printf "%s%.1f", sep, $1 - p; sep = " " } { p = $1 }')
gaps_ok=$(printf '%s\n' "${refresh[@]}" | awk 'NR > 1 && ($1 - p < 8.5 || $1 - p > 11.5) { bad = 1 } { p = $1 } END { print bad ? "no" : "yes" }')
if [[ ${#refresh[@]} -ge 2 && $n_leave -eq 0 && $gaps_ok == yes ]]; then
    pass "5: no querier upstream: the report for $G155 was re-sent ${#refresh[@]} times in $(fsub "$tq" "$T155") s after the join (gaps: $gaps s; upstream-refresh = 10), no leave"
    up_events "$G155" | awk -v b="$tq" '$1 + 0 <= b + 0 { printf "    %s %s %s from %s\n", $1, $2, $3, $4 }' | head -n 6
else
    fail "5-refresh" "$G155 in $(fsub "$tq" "$T155") s: ${#refresh[@]} refreshes (want >= 2, about 10 s apart; gaps: ${gaps:-none}), $n_leave leaves (want 0): $(up_events "$G155" | tr '\n' ';')"
fi

spawn_tool isp "$LAB_DIR/query.log" query --src 10.128.0.1 --interval 3 --mrt 1
QUERY_PID=$LAB_LAST_PID
tq=$(awk '$1 == "query" { print $2; exit }' "$LAB_DIR/query.log")
[[ -n $tq ]] || tq=$(lab_now)
v2rep() { up_events "$G155" | awk -v a="$tq" '$1 + 0 >= a + 0 && $3 == "v2report" { f = 1 } END { exit !f }'; }
if wait_for 4 v2rep; then
    pass "5: IGMPv2 querier upstream: answered with a v2 report for $G155 $(fsub "$(up_events "$G155" | awk -v a="$tq" '$1 + 0 >= a + 0 && $3 == "v2report" { print $1; exit }')" "$tq") s after the first query (max resp 1 s)"
else
    fail "5-querier" "no IGMPv2 report for $G155 within 4 s of an IGMPv2 general query from 10.128.0.1: $(up_events "$G155" | awk -v a="$tq" '$1 >= a' | tr '\n' ';')"
fi
heard() { [[ $(jq -r '.upstream."querier-heard"' "$STATE" 2>/dev/null) == true ]]; }
wait_for 3 heard && info "state file: $(jq -c '.upstream' "$STATE")"
rx pc leave "$G155"
tl=$RX_T
if wait_for 3 up_seen "$G155" leave "$tl"; then
    pass "5: pc (the last receiver) left $G155: upstream $(up_events "$G155" | awk -v a="$tl" '$1 >= a && $2 == "leave" { print $3; exit }') $(fsub "$(up_first "$G155" leave "$tl")" "$tl") s later"
else
    fail "5-leave" "no upstream leave for $G155 within 3 s of its last receiver leaving"
fi
lab_stop "$QUERY_PID" TERM

# General queries after the startup ones: every query-interval (7 s).
mapfile -t gq < <(router_queries 0.0.0.0 "$T_START" | awk '{ print $1 }')
later=$(printf '%s\n' "${gq[@]}" | awk 'NR > 2 { printf "%s%.1f", sep, $1 - p; sep = " " } { p = $1 }')
if [[ ${#gq[@]} -ge 4 ]] && printf '%s\n' "${gq[@]}" | awk 'NR > 2 && ($1 - p < 6 || $1 - p > 8.5) { bad = 1 } { p = $1 } END { exit bad }'; then
    pass "9: ${#gq[@]} general queries in $(fsub "$(lab_now)" "$T_START") s; after the startup ones every $later s (query-interval 7)"
else
    fail "9-interval" "general queries after the startup ones should be ~7 s apart: ${#gq[@]} queries, gaps after the 2nd: ${later:-none}"
fi

# ---- 7: kill -9 leaves nothing behind; a restart works ------------------------------------------
# deco still watches 239.0.2.30 (two accepted sources): there are MFC entries and two VIFs.
if mfc_fwd 172.26.22.5 "$G6" && [[ $(vif_count) -eq 2 ]]; then
    info "before kill -9: $(lab_ip router mroute show | wc -l) MFC entries, $(vif_count) VIFs"
else
    fail "7-pre" "before kill -9: expected (172.26.22.5,$G6) forwarded and 2 VIFs: $(mfc_show "$G6"), $(vif_count) VIFs"
fi
kill -KILL "$IGMPD_PID"
wait "$IGMPD_PID" 2>/dev/null
tk=$(lab_now)
clean() { mfc_empty && no_vifs; }
if wait_for 3 clean; then
    pass "7: kill -9: ip mroute empty and /proc/net/ip_mr_vif without entries $(fsub "$(lab_now)" "$tk") s later (mc_forwarding of vlan2 = $(lab_exec router cat /proc/sys/net/ipv4/conf/vlan2/mc_forwarding))"
else
    fail "7-clean" "after kill -9: $(lab_ip router mroute show | wc -l) MFC entries and $(vif_count) VIFs remain"
    lab_ip router mroute show | head -n 5 | sed 's/^/    /'
fi

conf_noql=$LAB_DIR/no-quickleave.conf
write_conf "$conf_noql" no
start_daemon "$conf_noql" igmpproxyd-no-quickleave
# The deco never left 239.0.2.30: it answers the new daemon's startup query.
if wait_for 6 got_since "$RX_DECO" "$G6" "$T_START" 172.26.22.5 && wait_for 3 mfc_fwd 172.26.22.5 "$G6"; then
    pass "7: restarted: deco (still joined, reporting on the startup query) receives $G6 again $(fsub "$(rx_first "$RX_DECO" "$G6" "$T_START" 172.26.22.5)" "$T_START") s after the start: $(mfc_show 172.26.22.5 "$G6")"
else
    fail "7-restart" "after the restart deco got nothing of $G6 within 6 s: $(mfc_show "$G6")"
    dump_logs
fi
rx deco leave "$G6"

# ---- 4: without quickleave ----------------------------------------------------------------------
for v in 2 3; do
    set_version "$v"
    G4=239.0.2.$((38 + v)) # .40 / .41
    rx deco join "$G4"
    tj=$RX_T
    if ! wait_for 3 got_since "$RX_DECO" "$G4" "$tj"; then
        fail "4-v$v-join" "deco joined $G4 but got nothing within 3 s"
        rx deco leave "$G4"
        continue
    fi
    wait_until "$(fadd "$tj" 1.0)"
    rx deco leave "$G4"
    tl=$RX_T
    stopped_since() { fwd_stopped "$G4" "$tl"; }
    if wait_for 7 stopped_since; then
        last=$(fwd_last "$G4" "$tj")
        l2s=$(fsub "$last" "$tl")
        mapfile -t gsq < <(router_queries "$G4" "$tl")
        wait_for 2 up_seen "$G4" leave "$tl"
        ups=$(up_first "$G4" leave "$tl")
        if [[ ${#gsq[@]} -ge 2 ]]; then
            qlast=${gsq[-1]%% *}
            qs=$(printf '%s\n' "${gsq[@]}" | awk -v t="$tl" '{ printf "%s+%.2f s (%s)", sep, $1 - t, $2; sep = ", " }')
            if flt "$qlast" "$(fadd "$last" 0.1)" && flt 1.0 "$l2s" && flt "$l2s" 3.5; then
                pass "4 (v$v): no quickleave: ${#gsq[@]} group-specific queries for $G4 at $qs after the leave; the flow went on until +$l2s s, upstream leave at +$([[ -n $ups ]] && fsub "$ups" "$tl" || echo "?") s"
            else
                fail "4-v$v" "queries at $qs, but the last datagram at +$l2s s (want after the last query and 1-3.5 s after the leave)"
            fi
        else
            fail "4-v$v-queries" "${#gsq[@]} group-specific queries for $G4 from 192.168.1.1 after the leave (want >= 2, last-member-count); flow stopped +$l2s s"
        fi
        if [[ -z $ups ]]; then
            fail "4-v$v-upstream" "no upstream leave for $G4 within 2 s of the end of the flow"
        elif flt "$(fadd "$ups" 0.2)" "$last"; then
            fail "4-v$v-upstream" "upstream leave for $G4 at +$(fsub "$ups" "$tl") s, before the flow stopped (+$l2s s)"
        fi
    else
        fail "4-v$v-stop" "$G4 still forwarded 7 s after the last leave (last-member query time is 2 s)"
        dump_logs
    fi
done

lab_stop "$IGMPD_PID" TERM
rc=$?
if [[ $rc -eq 0 ]] && wait_for 3 clean; then
    pass "4: SIGTERM -> exit 0, no MFC entry and no VIF left"
else
    fail "4-sigterm" "SIGTERM: exit $rc (want 0); MFC entries $(lab_ip router mroute show | wc -l), VIFs $(vif_count)"
fi

# ---- 11: the rp_filter preflight ------------------------------------------------------------------
G11=239.0.2.50
lab_exec router sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.vlan2.rp_filter=1
conf_rp=$LAB_DIR/rp.conf
write_conf "$conf_rp" yes
start_daemon "$conf_rp" igmpproxyd-rpfilter
want="sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vlan2.rp_filter=0"
if grep -qF "$want" "$CUR_LOG"; then
    pass "11: rp_filter = 1: the log says: $(grep -F "$want" "$CUR_LOG" | head -n1 | sed 's/.*; run: /run: /')"
else
    fail "11-log" "the log does not contain '$want': $(grep -i rp_filter "$CUR_LOG")"
fi
rx deco join "$G11"
t11=$RX_T
wait_until "$(fadd "$t11" 2.5)"
rpv=$(lab_exec router sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.vlan2.rp_filter | tr '\n' ' ')
if [[ $(rx_count "$RX_DECO" "$G11" "$t11" "$(lab_now)") -eq 0 && $rpv == "1 1 " ]]; then
    pass "11: ... and indeed deco (joined $G11) gets nothing while rp_filter is 1 1 (left alone without fix-sysctl)"
else
    fail "11-trap" "with rp_filter = 1: deco got $(rx_count "$RX_DECO" "$G11" "$t11" "$(lab_now)") datagrams (want 0), rp_filter all/vlan2 now '$rpv' (want '1 1')"
fi
lab_stop "$IGMPD_PID" TERM

conf_fix=$LAB_DIR/fix.conf
write_conf "$conf_fix" yes "fix-sysctl = yes"
start_daemon "$conf_fix" igmpproxyd-fixsysctl
rpv=$(lab_exec router sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.vlan2.rp_filter | tr '\n' ' ')
if [[ $rpv == "0 0 " ]]; then
    pass "11: fix-sysctl = yes: rp_filter all/vlan2 = $rpv; log: $(grep 'fix-sysctl' "$CUR_LOG" | tr '\n' ' ')"
else
    fail "11-fix" "fix-sysctl = yes: rp_filter all/vlan2 = '$rpv' (want '0 0'); log: $(grep -i 'sysctl' "$CUR_LOG")"
fi
if wait_for 6 got_since "$RX_DECO" "$G11" "$T_START"; then
    pass "11: ... and deco (still joined $G11) receives it $(fsub "$(rx_first "$RX_DECO" "$G11" "$T_START")" "$T_START") s after the start"
else
    fail "11-flow" "with rp_filter fixed, deco (joined $G11) got nothing within 6 s of the start"
fi
rx deco leave "$G11"
lab_stop "$IGMPD_PID" TERM

echo "timings: join-to-first-packet ${J2P[*]} s; leave-to-stop (quickleave, out of vlan100, +/- ${SEND_INTERVAL} s) ${L2S[*]} s"
lab_finish igmpproxyd
