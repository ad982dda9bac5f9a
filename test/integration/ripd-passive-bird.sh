#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ripd-passive against a real RIP router (BIRD 2) in network namespaces.
#
#   +----------------------------- isp ------------------------------------+
#   | BIRD (update time 1): rip_iptv on vlan2, rip_voip on vlan3 (keyed MD5)|
#   | tcpdump -i any: every UDP packet, checked at the end (case g)         |
#   |  bridge vlan2 10.128.0.1/9                bridge vlan3 10.25.192.1/19 |
#   |   port r-vlan2      port a-vlan2           port r-vlan3               |
#   +-----|----------------|-----------------------|-----------------------+
#         | veth           | veth                  | veth
#         |          +-----|------------------+    |
#         |          | attacker eth0          |    |
#         |          | 10.128.0.66/9 (not a   |    |
#         |          | configured neighbor)   |    |
#         |          +------------------------+    |
#   +-----|----------------------------------------|-----------------------+
#   |  vlan2 10.214.1.2/9                    vlan3 10.25.200.10/19         |
#   |  router: ripd-passive (timeout 4, garbage 3, user nobody)            |
#   +----------------------------------------------------------------------+
#
# Cases (PASS/FAIL line each; exit 99 if any failed, 77 if root/bird/netns are missing):
#   i  -n on bad configs: file:line and exit 78
#   a  the nine IPTV prefixes: via 10.128.0.1 dev vlan2 proto zebra metric 3
#   b  vlan3 keyed MD5: 10.31.255.128/27 via 10.25.192.1; with a wrong key it never appears
#      and the auth drop counter rises
#   e  a route deleted by hand comes back with BIRD frozen (no update can help)
#   c  BIRD withdraws a prefix (metric 16): gone well before the timeout
#   f  hostile packets (non-neighbor, source port != 520, truncated, outside accept) ignored,
#      daemon still serving
#   d  BIRD killed: routes expire after the timeout
#   h  SIGTERM removes the routes; with keep-routes-on-exit = yes they stay
#   g  the router sent no UDP at all during the whole test (control: with request-on-start =
#      yes the same capture does see its requests)
#
# Usage: test/integration/ripd-passive-bird.sh [PATH/TO/ripd-passive]   (or RIPD=...)
#        LAB_KEEP=1 keeps the scratch directory (configs, logs, capture).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab
source "$HERE/../lab/lib.sh"
RIPSEND=$HERE/../lab/ripsend.py

ripd=${1:-${RIPD:-$HERE/../../build/ripd-passive/ripd-passive}}
[[ -x $ripd ]] || lab_skip "no ripd-passive binary at '$ripd'"
ripd=$(realpath "$ripd")
lab_require_root
lab_require_cmd bird birdc tcpdump python3 jq
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody'"
lab_init

dump_logs() {
    lab_log "--- ip route (router)"
    lab_ip router route >&2
    lab_log "--- ripd-passive log (last 40 lines of $CUR_LOG)"
    tail -n 40 "$CUR_LOG" >&2 2>/dev/null
    lab_log "--- state file"
    cat "$STATE" >&2 2>/dev/null
}

# --- topology --------------------------------------------------------------------------------
lab_seed_wan
lab_ns attacker
lab_attach attacker eth0 isp vlan2 a-vlan2
lab_addr attacker eth0 10.128.0.66/9

# Case g's capture runs for the whole test.
PCAP=$LAB_DIR/isp.pcap
lab_spawn isp "$LAB_DIR/tcpdump.log" tcpdump -i any -n -U -Z root -w "$PCAP" udp
TCPDUMP_PID=$LAB_LAST_PID
wait_for 5 grep -q 'listening on' "$LAB_DIR/tcpdump.log" || lab_fail "tcpdump did not start: $(cat "$LAB_DIR/tcpdump.log")"

STATE=$LAB_DIR/run/ripd-passive.json
CUR_LOG=/dev/null

# write_conf FILE VLAN3_KEY [GLOBAL_LINE...]
write_conf() {
    local file=$1 key=$2
    shift 2
    {
        echo "[global]"
        echo "proto = zebra"
        echo "metric = rip+1"
        echo "table = main"
        echo "timeout = 4"
        echo "garbage = 3"
        echo "user = nobody"
        echo "state-file = $STATE"
        local l
        for l in "$@"; do echo "$l"; done
        echo
        echo "[interface vlan2]"
        echo "version = 2"
        echo "auth = none"
        echo "neighbors = 10.128.0.1"
        echo "accept = 172.26.0.0/16"
        echo
        echo "[interface vlan3]"
        echo "version = 2"
        echo "auth = md5"
        echo "key = $key"
        echo "key-id = 1"
    } >"$file"
    chmod 644 "$file"
}

joined() { lab_ip router maddr show dev "$1" | grep -q '224\.0\.0\.9'; }

# start_ripd CONF TAG: run the daemon in router, wait until it listens on both links.
RIPD_PID=
start_ripd() {
    rm -f "$STATE"
    CUR_LOG=$LAB_DIR/$2.log
    lab_spawn router "$CUR_LOG" "$ripd" -c "$1" -f -vv
    RIPD_PID=$LAB_LAST_PID
    # Done waiting when it listens on both links, or when it died.
    listening_or_dead() { ! lab_alive "$RIPD_PID" || { joined vlan2 && joined vlan3; }; }
    if ! wait_for 10 listening_or_dead || ! lab_alive "$RIPD_PID"; then
        abort "start-$2" "ripd-passive did not join 224.0.0.9 on vlan2 and vlan3 (alive: $(lab_alive "$RIPD_PID" && echo yes || echo no))"
    fi
}

iptv_ok() {
    local p
    for p in "${LAB_IPTV_PREFIXES[@]}"; do
        lab_has_route router "$p" '^[0-9./]+ via 10\.128\.0\.1 dev vlan2 proto zebra metric 3' || return 1
    done
}
voip_ok() { lab_has_route router "$LAB_VOIP_PREFIX" '^[0-9./]+ via 10\.25\.192\.1 dev vlan3 proto zebra metric 3'; }
absent() { [[ -z $(lab_route_line router "$1") ]]; }
zebra_count() { lab_ip router -4 route show proto zebra | wc -l; }
no_zebra() { [[ $(zebra_count) -eq 0 ]]; }
# drops REASON: the state file's counter (0 when absent).
drops() { jq -r --arg r "$1" '.drops[$r] // 0' "$STATE" 2>/dev/null || echo 0; }
drops_at_least() { [[ $(drops "$1") -ge $2 ]]; }
ripsend() {
    local ns=$1
    shift
    lab_exec "$ns" python3 "$RIPSEND" "$@" || fail "ripsend" "could not send: $*"
}

# --- i: -n on bad configs ---------------------------------------------------------------------
good=$LAB_DIR/good.conf
write_conf "$good" secret
out=$("$ripd" -c "$good" -n 2>&1)
rc=$?
if [[ $rc -eq 0 ]]; then
    pass "i: -n accepts the test config"
else
    fail "i-good" "-n on a good config: exit $rc, expected 0: $out"
fi

bad=$LAB_DIR/bad.conf
printf '[global]\ntimeout = 4\nbogus-key = 1\n' >"$bad"
out=$("$ripd" -c "$bad" -n 2>&1)
rc=$?
if [[ $rc -eq 78 && $out == *"$bad:3:"* ]]; then
    pass "i: -n unknown key -> exit 78, '$out'"
else
    fail "i-unknown-key" "-n on unknown key: exit $rc (want 78), output '$out' (want '$bad:3: ...')"
fi
printf '[global]\n\n[interface vlan2]\nauth = md5\nkey-id = 1\nversion = 7\n' >"$bad"
out=$("$ripd" -c "$bad" -n 2>&1)
rc=$?
if [[ $rc -eq 78 && $out =~ $bad:[0-9]+: ]]; then
    pass "i: -n bad version / md5 without key -> exit 78, '$out'"
else
    fail "i-bad-value" "-n on version = 7: exit $rc (want 78), output '$out' (want '$bad:N: ...')"
fi

# --- BIRD and the daemon -----------------------------------------------------------------------
lab_isp_bird_conf "$LAB_DIR/isp-bird.conf" 1 secret
lab_bird_start isp isp "$LAB_DIR/isp-bird.conf"
BIRD_PID=$LAB_LAST_PID

start_ripd "$good" ripd-main

# --- a: the nine IPTV prefixes ----------------------------------------------------------------
if wait_for 10 iptv_ok; then
    pass "a: nine IPTV prefixes via 10.128.0.1 dev vlan2 proto zebra metric 3"
    for p in "${LAB_IPTV_PREFIXES[@]}"; do echo "    $(lab_route_line router "$p")"; done
else
    fail "a" "IPTV routes missing or wrong:"
    lab_ip router route | sed 's/^/    /'
fi
state_routes_ok() {
    [[ $(jq '[.routes[] | select(.interface == "vlan2" and ."next-hop" == "10.128.0.1"
            and .metric == 3 and ."kernel-metric" == 3)] | length' "$STATE" 2>/dev/null) -eq 9 ]]
}
if wait_for 5 state_routes_ok; then
    pass "a: state file lists the nine vlan2 routes (metric 3, kernel-metric 3)"
else
    fail "a-state" "state file $STATE does not list the nine routes: $(head -c 600 "$STATE" 2>/dev/null)"
fi

# --- b: keyed MD5 on vlan3 --------------------------------------------------------------------
if wait_for 10 voip_ok; then
    pass "b: md5 vlan3: $(lab_route_line router "$LAB_VOIP_PREFIX")"
else
    fail "b-md5" "no '$LAB_VOIP_PREFIX via 10.25.192.1 dev vlan3 proto zebra metric 3'; have: '$(lab_route_line router "$LAB_VOIP_PREFIX")'"
fi

# --- e: a route deleted by hand comes back at once ---------------------------------------------
# BIRD is frozen (SIGSTOP) so no periodic update can restore it; only the netlink watch can.
victim=172.26.22.0/26
kill -STOP "$BIRD_PID"
t0=$(lab_now)
lab_ip router route del "$victim"
if wait_for 2 lab_has_route router "$victim" 'via 10\.128\.0\.1 dev vlan2 proto zebra metric 3'; then
    pass "e: $victim deleted by hand is back after $(lab_elapsed "$t0") s (BIRD frozen)"
else
    fail "e" "$victim deleted by hand not restored within 2 s while BIRD sent nothing"
fi
kill -CONT "$BIRD_PID"

# --- c: withdrawal (metric 16) ----------------------------------------------------------------
wait_for 5 iptv_ok || abort "c-pre" "IPTV routes not all present before the withdrawal"
withdrawn=172.26.80.0/21 # iptv9
t0=$(lab_now)
lab_birdc isp disable iptv9 >/dev/null
if wait_for 3.5 absent "$withdrawn"; then
    el=$(lab_elapsed "$t0")
    if awk -v e="$el" 'BEGIN { exit !(e < 2.0) }'; then
        pass "c: $withdrawn withdrawn by BIRD gone after $el s (timeout is 4 s)"
    else
        fail "c" "$withdrawn gone only after $el s: looks like the timeout, not the metric-16 withdrawal"
    fi
else
    fail "c" "$withdrawn still present 3.5 s after BIRD withdrew it: $(lab_route_line router "$withdrawn")"
fi

# --- f: hostile senders -----------------------------------------------------------------------
nn0=$(drops not-neighbor) sp0=$(drops bad-source-port) bl0=$(drops bad-length) na0=$(drops not-accepted)
# Well-formed RIPv2 response from a host on the link that is not in neighbors.
ripsend attacker --src 10.128.0.66 172.26.99.0/24:1
# From the real neighbor, but source port 5200 (RFC 2453 §3.9.2: must be 520).
ripsend isp --src 10.128.0.1 --sport 5200 172.26.97.0/24:1
# Truncated: header + a full RTE (172.26.98.0/24) + 10 bytes of a second one.
ripsend isp --src 10.128.0.1 --truncate 34 172.26.98.0/24:1 172.26.95.0/24:1
# Just a header (4 bytes) and 3 bytes of junk.
ripsend isp --src 10.128.0.1 --truncate 7 172.26.94.0/24:1
# Outside accept = 172.26.0.0/16.
ripsend isp --src 10.128.0.1 192.0.2.0/24:1
# Sentinel: a legitimate response sent after all of the above; once it is in the kernel the
# hostile packets (queued before it on the same socket) have been processed.
sentinel=172.26.96.0/24
ripsend isp --src 10.128.0.1 "$sentinel:2"  # announced 2, like Movistar: kernel metric 3
if wait_for 3 lab_has_route router "$sentinel" 'via 10\.128\.0\.1 dev vlan2 proto zebra metric 3'; then
    pass "f: sentinel $sentinel from 10.128.0.1 installed (daemon serving)"
else
    fail "f-sentinel" "legitimate $sentinel from 10.128.0.1 not installed within 3 s"
fi
for p in 172.26.99.0/24 172.26.97.0/24 172.26.98.0/24 172.26.95.0/24 172.26.94.0/24 192.0.2.0/24; do
    if absent "$p"; then
        pass "f: hostile $p not installed"
    else
        fail "f-$p" "hostile $p installed: $(lab_route_line router "$p")"
    fi
done
for pair in "not-neighbor:$nn0:1" "bad-source-port:$sp0:1" "bad-length:$bl0:2" "not-accepted:$na0:1"; do
    IFS=: read -r reason before n <<<"$pair"
    if wait_for 3 drops_at_least "$reason" $((before + n)); then
        pass "f: drops[$reason] $before -> $(drops "$reason")"
    else
        fail "f-drops-$reason" "drops[$reason] is $(drops "$reason"), expected >= $((before + n)); drops: $(jq -c .drops "$STATE" 2>/dev/null)"
    fi
done
lab_birdc isp enable iptv9 >/dev/null
if lab_alive "$RIPD_PID" && wait_for 3 iptv_ok; then
    pass "f: daemon alive and $withdrawn re-learned after BIRD re-announced it"
else
    abort "f-alive" "daemon dead or not serving after hostile packets"
fi

# --- d: BIRD dies; routes time out --------------------------------------------------------------
wait_for 3 voip_ok || fail "d-pre" "voip route missing before killing BIRD"
kill -KILL "$BIRD_PID"
wait "$BIRD_PID" 2>/dev/null
t0=$(lab_now)
if wait_for 12 no_zebra; then
    el=$(lab_elapsed "$t0")
    # Last update <= 1 s before the kill, timeout 4 s: expiry can't come before ~3 s.
    if awk -v e="$el" 'BEGIN { exit !(e >= 2.5 && e <= 6.0) }'; then
        pass "d: all routes expired $el s after BIRD was killed (timeout 4 s)"
    else
        fail "d" "routes gone $el s after BIRD was killed; expected about 3-5 s (timeout 4 s, updates every 1 s)"
    fi
else
    fail "d" "routes still there 12 s after BIRD was killed (timeout 4, garbage 3): $(lab_ip router route show proto zebra | tr '\n' ';')"
fi
lab_alive "$RIPD_PID" || abort "d-alive" "daemon died while routes expired"
lab_bird_start isp isp "$LAB_DIR/isp-bird.conf"
BIRD_PID=$LAB_LAST_PID
if wait_for 5 iptv_ok && wait_for 5 voip_ok; then
    pass "d: routes re-learned after BIRD restarted"
else
    fail "d-relearn" "routes not re-learned after BIRD restarted"
fi

# --- h: SIGTERM ---------------------------------------------------------------------------------
lab_stop "$RIPD_PID" TERM
rc=$?
n=$(zebra_count)
if [[ $rc -eq 0 && $n -eq 0 ]]; then
    pass "h: SIGTERM -> exit 0, routes removed"
else
    fail "h-remove" "after SIGTERM: exit $rc (want 0), $n proto zebra routes left (want 0)"
    dump_logs
fi

keep=$LAB_DIR/keep.conf
write_conf "$keep" secret "keep-routes-on-exit = yes"
start_ripd "$keep" ripd-keep
if ! wait_for 5 iptv_ok || ! wait_for 5 voip_ok; then
    fail "h-keep-pre" "routes not learned by the keep-routes instance"
fi
lab_stop "$RIPD_PID" TERM
rc=$?
if [[ $rc -eq 0 ]] && iptv_ok && voip_ok; then
    pass "h: keep-routes-on-exit = yes -> exit 0, the ten routes stay"
else
    fail "h-keep" "keep-routes-on-exit: exit $rc, routes: $(lab_ip router route show proto zebra | tr '\n' ';')"
fi
lab_ip router route flush proto zebra

# --- b (second half): wrong MD5 key ----------------------------------------------------------------
wrong=$LAB_DIR/wrong.conf
write_conf "$wrong" not-the-secret
start_ripd "$wrong" ripd-wrongkey
if wait_for 5 iptv_ok && wait_for 5 drops_at_least auth-failed 2; then
    if absent "$LAB_VOIP_PREFIX"; then
        pass "b: wrong md5 key: $LAB_VOIP_PREFIX never installed, drops[auth-failed] = $(drops auth-failed)"
    else
        fail "b-wrongkey" "wrong key but $(lab_route_line router "$LAB_VOIP_PREFIX")"
    fi
else
    fail "b-wrongkey" "with the wrong key: iptv ok? $(iptv_ok && echo yes || echo no), drops: $(jq -c .drops "$STATE" 2>/dev/null)"
fi
absent "$LAB_VOIP_PREFIX" || fail "b-wrongkey-late" "$LAB_VOIP_PREFIX appeared with the wrong key"
lab_stop "$RIPD_PID" TERM

# --- g: the router never sent anything ----------------------------------------------------------
# tcpdump -U writes each packet as it comes, so the capture can be read while it still runs.
from_router() {
    tcpdump -r "$PCAP" -n "udp and (src host 10.214.1.2 or src host 10.25.200.10)${1:+ and $1}" 2>/dev/null | wc -l
}
router_udp=$(from_router)
bird_rip=$(tcpdump -r "$PCAP" -n 'udp port 520 and (src host 10.128.0.1 or src host 10.25.192.1)' 2>/dev/null | wc -l)
if [[ $bird_rip -gt 0 && $router_udp -eq 0 ]]; then
    pass "g: capture saw $bird_rip RIP packets from BIRD and 0 UDP packets from the router"
else
    fail "g" "router sent $router_udp UDP packets (want 0); BIRD packets captured: $bird_rip (want > 0)"
    tcpdump -r "$PCAP" -n 'udp and (src host 10.214.1.2 or src host 10.25.200.10)' 2>/dev/null | head -n 5
fi

# Control for g: with request-on-start = yes the same capture must see the router's RIP
# Requests (so a silent router above is not a blind capture), on both links.
req=$LAB_DIR/request.conf
write_conf "$req" secret "request-on-start = yes"
start_ripd "$req" ripd-request
if wait_for 5 bash -c "[[ \$(tcpdump -r '$PCAP' -n 'udp port 520 and src host 10.214.1.2' 2>/dev/null | wc -l) -gt 0 &&
        \$(tcpdump -r '$PCAP' -n 'udp port 520 and src host 10.25.200.10' 2>/dev/null | wc -l) -gt 0 ]]"; then
    pass "g: control: request-on-start = yes -> the capture sees the router's requests: $(from_router 'udp port 520' | tr -d ' ') packets"
    tcpdump -r "$PCAP" -n -v 'udp and (src host 10.214.1.2 or src host 10.25.200.10)' 2>/dev/null | head -n 8 | sed 's/^/    /'
else
    fail "g-control" "request-on-start = yes, but no RIP packet from 10.214.1.2 and 10.25.200.10 on both links within 5 s (seen: $(from_router | tr -d ' '))"
fi
wait_for 5 iptv_ok || fail "g-control-routes" "request-on-start instance did not learn the IPTV routes"
lab_stop "$RIPD_PID" TERM
lab_stop "$TCPDUMP_PID" TERM

lab_finish ripd-passive-bird
