#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ripd-passive through its life cycle against a real RIP router (BIRD 2): an interface deleted
# and recreated over and over, reloads, restarts, an administrator's route, a non-root start.
#
#   +----------------------------- isp ------------------------------------+
#   | BIRD (update time 1): rip_iptv on vlan2 (9 prefixes, metric 2),      |
#   |                       rip_voip on vlan3 (1 prefix, keyed MD5)        |
#   |  bridge vlan2 10.128.0.1/9                bridge vlan3 10.25.192.1/19 |
#   |   port r-vlan2                             port r-vlan3               |
#   +-----|-------------------------------------------|--------------------+
#         | veth: deleted and recreated 25 times      | veth
#         | (case j; same name, address, bridge port) |
#   +-----|-------------------------------------------|--------------------+
#   |  vlan2 10.214.1.2/9                       vlan3 10.25.200.10/19      |
#   |  router: ripd-passive (timeout 4, garbage 3, user nobody)            |
#   |          ip monitor route -> *.mon (cases k, l, m)                   |
#   |          172.26.23.4/32 via 10.128.0.1 proto static (case n)         |
#   +----------------------------------------------------------------------+
#
# Cases (PASS/FAIL line each; exit 99 if any failed, 77 if root/bird/netns are missing):
#   o  started as nobody without -f: exits 77/71 with the reason on stderr (no detach first)
#   n  an administrator's static route for an announced prefix is never touched
#   j  vlan2 deleted and recreated 25 times: 224.0.0.9 rejoined on the new ifindex and the nine
#      routes back every time (a daemon leaking memberships goes deaf after 20)
#   k  SIGHUP with metric rip+1 -> rip+5: each route's metric-7 copy is added before the
#      metric-3 one is deleted; no prefix is ever without a route
#   l  SIGHUP tightening accept: routes outside go at once (timeout 30), the others stay
#   m  restart with keep-routes-on-exit: the routes are never deleted and are confirmed in
#      place; with BIRD dead, the adopted routes go one timeout after the start
#
# Usage: test/integration/ripd-passive-lifecycle.sh [PATH/TO/ripd-passive]   (or RIPD=...)
#        LAB_KEEP=1 keeps the scratch directory (configs, logs, monitor logs).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab
source "$HERE/../lab/lib.sh"

ripd=${1:-${RIPD:-$HERE/../../build/ripd-passive/ripd-passive}}
[[ -x $ripd ]] || lab_skip "no ripd-passive binary at '$ripd'"
ripd=$(realpath "$ripd")
lab_require_root
lab_require_cmd bird birdc jq awk timeout
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody'"
if command -v setpriv >/dev/null 2>&1; then
    AS_NOBODY=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --inh-caps=-all)
elif command -v runuser >/dev/null 2>&1; then
    AS_NOBODY=(runuser -u nobody --)
else
    lab_skip "needs setpriv or runuser"
fi
lab_init

dump_logs() {
    lab_log "--- ip route (router)"
    lab_ip router route >&2
    lab_log "--- ripd-passive log (last 40 lines of $CUR_LOG)"
    tail -n 40 "$CUR_LOG" >&2 2>/dev/null
    lab_log "--- state file"
    cat "$STATE" >&2 2>/dev/null
}
# secs_between T0 T1 (lab_now values): T1 - T0, 3 decimals.
secs_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# le A B: A <= B (decimals).
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# --- topology --------------------------------------------------------------------------------
lab_seed_wan
lab_isp_bird_conf "$LAB_DIR/isp-bird.conf" 1 secret
lab_bird_start isp isp "$LAB_DIR/isp-bird.conf"
BIRD_PID=$LAB_LAST_PID

STATE=$LAB_DIR/run/ripd-passive.json
CUR_LOG=/dev/null
ALL_PREFIXES=("${LAB_IPTV_PREFIXES[@]}" "$LAB_VOIP_PREFIX")

# write_conf FILE [timeout=S] [metric=M] [accept=PREFIXES] [keep=yes|no]: the daemon's config,
# like ripd-passive-bird.sh's (vlan2 from 10.128.0.1 inside 172.26.0.0/16, vlan3 keyed MD5).
write_conf() {
    local file=$1 timeout=4 metric=rip+1 accept=172.26.0.0/16 keep=no a
    shift
    for a in "$@"; do
        case $a in
            timeout=*) timeout=${a#*=} ;;
            metric=*) metric=${a#*=} ;;
            accept=*) accept=${a#*=} ;;
            keep=*) keep=${a#*=} ;;
            *) lab_fail "write_conf: unknown option '$a'" ;;
        esac
    done
    cat >"$file" <<EOC
[global]
proto = zebra
metric = $metric
table = main
timeout = $timeout
garbage = 3
user = nobody
state-file = $STATE
keep-routes-on-exit = $keep

[interface vlan2]
version = 2
auth = none
neighbors = 10.128.0.1
accept = $accept

[interface vlan3]
version = 2
auth = md5
key = secret
key-id = 1
EOC
    chmod 644 "$file"
}

joined() { lab_ip router maddr show dev "$1" | grep -q '224\.0\.0\.9'; }
ifindex_of() { lab_ip router -j link show dev "$1" | jq -r '.[0].ifindex'; }

# start_ripd CONF TAG [keep-state]: run the daemon in router, wait until it listens on both
# links. The state file of the previous instance is removed unless keep-state is given.
RIPD_PID=
start_ripd() {
    [[ ${3:-} == keep-state ]] || rm -f "$STATE"
    CUR_LOG=$LAB_DIR/$2.log
    lab_spawn router "$CUR_LOG" "$ripd" -c "$1" -f -vv
    RIPD_PID=$LAB_LAST_PID
    listening_or_dead() { ! lab_alive "$RIPD_PID" || { joined vlan2 && joined vlan3; }; }
    if ! wait_for 10 listening_or_dead || ! lab_alive "$RIPD_PID"; then
        abort "start-$2" "ripd-passive did not join 224.0.0.9 on vlan2 and vlan3 (alive: $(lab_alive "$RIPD_PID" && echo yes || echo no))"
    fi
}
stop_ripd() {
    lab_stop "$RIPD_PID" TERM
    local rc=$?
    RIPD_PID=
    return "$rc"
}

# route_lines PREFIX: every kernel route for exactly PREFIX (any protocol, any metric).
route_lines() { lab_ip router -4 route show exact "${1%/32}" 2>/dev/null; }
# only_zebra PREFIX METRIC [DEV GW]: PREFIX has exactly one route, ours, with that metric.
only_zebra() {
    local dev=${3:-vlan2} gw=${4:-10.128.0.1} lines
    local re="^[0-9./]+ via ${gw//./\\.} dev $dev proto zebra metric $2( |\$)"
    lines=$(route_lines "$1")
    [[ $(wc -l <<<"$lines") -eq 1 && $lines =~ $re ]]
}
iptv_ok() {
    local m=${1:-3} p
    for p in "${LAB_IPTV_PREFIXES[@]}"; do only_zebra "$p" "$m" || return 1; done
}
voip_ok() { only_zebra "$LAB_VOIP_PREFIX" "${1:-3}" vlan3 10.25.192.1; }
all_ok() { iptv_ok "$1" && voip_ok "$1"; }
absent() { [[ -z $(route_lines "$1") ]]; }
zebra_count() { lab_ip router -4 route show proto zebra | wc -l; }
no_zebra() { [[ $(zebra_count) -eq 0 ]]; }
zebra_routes() { lab_ip router -4 route show proto zebra | tr '\n' ';'; }
drops() { jq -r --arg r "$1" '.drops[$r] // 0' "$STATE" 2>/dev/null || echo 0; }
drops_at_least() { [[ $(drops "$1") -ge $2 ]]; }
# state_route PREFIX: the state file's entry for PREFIX (compact JSON, empty if none).
state_route() { jq -c --arg p "$1" '.routes[] | select(.prefix == $p)' "$STATE" 2>/dev/null; }

# --- ip monitor route in the background ---------------------------------------------------------
# Marks are blackhole routes (198.18.0.0/15, never announced) added and deleted by hand: once a
# mark's deletion is in the log, every kernel event before it has been written there.
MON_PID=
MON_LOG=
MARK_N=0
MARK_LINE=0
# put_mark: add and delete the next mark; its text in MARK.
put_mark() {
    MARK_N=$((MARK_N + 1))
    MARK="198.18.$((MARK_N / 250)).$((MARK_N % 250 + 1))"
    lab_ip router route add blackhole "$MARK/32" proto static &&
        lab_ip router route del blackhole "$MARK/32" proto static
}
# The monitor may subscribe after a mark went by: keep putting fresh ones until one shows.
monitor_ready() {
    put_mark || return 1
    grep -q '^Deleted blackhole 198\.18\.' "$MON_LOG"
}
monitor_start() {
    MON_LOG=$LAB_DIR/$1.mon
    lab_spawn router "$MON_LOG" ip monitor route
    MON_PID=$LAB_LAST_PID
    if ! wait_for 5 monitor_ready || ! monitor_mark; then
        abort "monitor-$1" "ip monitor route is not reporting (log: $(head -c 300 "$MON_LOG"))"
    fi
}
# monitor_mark: put a mark and wait for it; its line number in MON_LOG goes to MARK_LINE.
monitor_mark() {
    put_mark || return 1
    wait_for 5 grep -qF "Deleted blackhole $MARK proto" "$MON_LOG" || return 1
    MARK_LINE=$(grep -nF "Deleted blackhole $MARK proto" "$MON_LOG" | cut -d: -f1)
}
monitor_stop() { lab_stop "$MON_PID" TERM; MON_PID=; }
# monitor_events FROM TO: the monitor's route events between two line numbers, one per line as
# "LINE add|del PREFIX PROTO METRIC" (host routes get their /32 back). Marks are left out.
monitor_events() {
    awk -v from="$1" -v to="$2" '
        NR <= from || NR >= to { next }
        {
            op = "add"
            i = 1
            if ($1 == "Deleted") { op = "del"; i = 2 }
            if ($i == "blackhole") next
            p = $i
            if (p !~ /\//) p = p "/32"
            proto = "?"; metric = 0
            for (j = i + 1; j < NF; j++) {
                if ($j == "proto") proto = $(j + 1)
                if ($j == "metric") metric = $(j + 1)
            }
            print NR, op, p, proto, metric
        }' "$MON_LOG"
}

# --- o: non-root start: the reason reaches the terminal -------------------------------------------
conf=$LAB_DIR/ripd.conf
write_conf "$conf"
t0=$(lab_now)
lab_exec router timeout 10 "${AS_NOBODY[@]}" "$ripd" -c "$conf" >"$LAB_DIR/o.out" 2>"$LAB_DIR/o.err"
rc=$?
el=$(lab_elapsed "$t0")
err=$(tr '\n' ' ' <"$LAB_DIR/o.err")
leftover=$(for p in $(ip netns pids "$(lab_nsname router)"); do
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == ripd-passive ]] && echo "$p"
done)
if [[ ($rc -eq 77 || $rc -eq 71) && $err =~ [[:alnum:]] && -z $leftover ]]; then
    pass "o: as nobody without -f: exit $rc after $el s, stderr: '$err'"
else
    fail "o" "as nobody without -f: exit $rc (want 77 or 71), stderr '$err' (want the reason), detached processes left: '${leftover:-none}'"
    for p in $leftover; do kill -KILL "$p"; done
fi
if [[ $err =~ (ermission|rivilege|apabilit|not\ permitted) ]]; then
    pass "o: the message names the cause (privilege)"
else
    fail "o-reason" "stderr does not say it is a privilege problem: '$err'"
fi

# --- n: an administrator's route is never touched -----------------------------------------------
admin=172.26.23.4/32
lab_ip router route add "$admin" via 10.128.0.1 dev vlan2 proto static metric 3
before=$(route_lines "$admin")
start_ripd "$conf" ripd-admin
others_ok() {
    local p
    for p in "${LAB_IPTV_PREFIXES[@]}"; do
        [[ $p == "$admin" ]] || only_zebra "$p" 3 || return 1
    done
}
t0=$(lab_now)
if wait_for 10 others_ok && wait_for 5 grep -q 'already exists with another protocol' "$CUR_LOG"; then
    pass "n: the other eight routes installed and the collision logged after $(lab_elapsed "$t0") s:"
    echo "    $(grep -m1 'already exists with another protocol' "$CUR_LOG")"
else
    fail "n-collision" "no collision line in the log, or the other routes missing: $(zebra_routes)"
fi
after=$(route_lines "$admin")
if [[ $after == "$before" ]]; then
    pass "n: the static route is exactly as it was: '$after'"
else
    fail "n-untouched" "static route changed: before '$before', now '$after'"
fi
state_admin_ok() { [[ $(state_route "$admin" | jq -r '."in-kernel"') == false ]]; }
if wait_for 5 state_admin_ok; then
    pass "n: state file: $(state_route "$admin")"
else
    fail "n-state" "state file does not show $admin with in-kernel false: '$(state_route "$admin")'"
fi
stop_ripd
rc=$?
after=$(route_lines "$admin")
if [[ $rc -eq 0 && $after == "$before" ]] && no_zebra; then
    pass "n: after SIGTERM (exit 0) the static route is still there, ours are gone"
else
    fail "n-exit" "after SIGTERM: exit $rc, static route '$after' (want '$before'), zebra routes: $(zebra_routes)"
fi
lab_ip router route del "$admin" via 10.128.0.1 dev vlan2 proto static metric 3

# --- j: vlan2 deleted and recreated 25 times -----------------------------------------------------
# recreate_vlan2: delete the router's end of the vlan2 veth (its peer r-vlan2 goes with it) and
# build it again exactly as lab_seed_wan did: same name, address and bridge port.
recreate_vlan2() {
    lab_ip router link del vlan2 || return 1
    lab_attach router vlan2 isp vlan2 r-vlan2
    lab_addr router vlan2 10.214.1.2/9
}
start_ripd "$conf" ripd-cycles
wait_for 10 all_ok 3 || abort "j-pre" "routes not learned before the cycles: $(zebra_routes)"
CYCLES=25
times=()
t_all=$(lab_now)
for ((c = 1; c <= CYCLES; c++)); do
    old=$(ifindex_of vlan2)
    t0=$(lab_now)
    recreate_vlan2 || abort "j-cycle$c" "could not recreate vlan2"
    new=$(ifindex_of vlan2)
    if [[ $new == "$old" ]]; then
        abort "j-cycle$c" "vlan2 kept ifindex $old: not a new device"
    fi
    if ! wait_for 10 joined vlan2; then
        fail "j" "cycle $c: 224.0.0.9 not joined on the new vlan2 (ifindex $new) within 10 s"
        dump_logs
        break
    fi
    if ! wait_for 10 iptv_ok; then
        fail "j" "cycle $c: the nine routes not back on the new vlan2 within 10 s: $(zebra_routes)"
        dump_logs
        break
    fi
    times+=("$(lab_elapsed "$t0")")
done
if ((${#times[@]} == CYCLES)); then
    stats=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ s += $1; a[NR] = $1 }
        END { printf "min %.3f s, median %.3f s, max %.3f s", a[1], a[int((NR + 1) / 2)], a[NR] }')
    pass "j: $CYCLES delete/recreate cycles of vlan2 in $(lab_elapsed "$t_all") s: rejoined and nine routes back each time ($stats)"
fi
state_iface_ok() {
    [[ $(jq -c --argjson i "$(ifindex_of vlan2)" '.interfaces[] | select(.name == "vlan2")
        | select(.ifindex == $i and .joined == true and .up == true)' "$STATE" 2>/dev/null) ]]
}
if wait_for 5 state_iface_ok; then
    pass "j: state file: $(jq -c '.interfaces[] | select(.name == "vlan2")' "$STATE") (ifindex now $(ifindex_of vlan2))"
else
    fail "j-state" "state file does not show vlan2 joined with ifindex $(ifindex_of vlan2): $(jq -c '.interfaces' "$STATE" 2>/dev/null)"
fi
if voip_ok && lab_alive "$RIPD_PID"; then
    pass "j: vlan3 unaffected: $(route_lines "$LAB_VOIP_PREFIX")"
else
    fail "j-vlan3" "vlan3 route or daemon lost during the cycles: $(zebra_routes)"
fi
if grep -qi 'igmp_max_memberships\|join 224' "$CUR_LOG"; then
    fail "j-log" "the daemon logged a membership error: $(grep -m1 -i 'igmp_max_memberships\|join 224' "$CUR_LOG")"
fi

# --- k: metric change on SIGHUP is make-before-break ------------------------------------------------
# The daemon of case j goes on (a reload after 25 cycles), unless j left it deaf.
if [[ " ${FAILED[*]} " == *" j "* ]]; then
    stop_ripd
    lab_ip router -4 route flush proto zebra
    start_ripd "$conf" ripd-reload
fi
wait_for 10 all_ok 3 || abort "k-pre" "routes not all present before the reload: $(zebra_routes)"
monitor_start reload-metric
from=$MARK_LINE
sed -i 's/^metric = rip+1$/metric = rip+5/' "$conf"
grep -q '^metric = rip+5$' "$conf" || abort "k-edit" "could not change the metric in $conf"
t0=$(lab_now)
kill -HUP "$RIPD_PID"
if wait_for 5 all_ok 7; then
    pass "k: after SIGHUP all ten routes have metric 7 (and only that one) after $(lab_elapsed "$t0") s"
else
    fail "k" "routes not all at metric 7 within 5 s: $(zebra_routes)"
fi
monitor_mark || fail "k-mark" "monitor mark not seen"
to=$MARK_LINE
events=$(monitor_events "$from" "$to")
bad=()
for p in "${ALL_PREFIXES[@]}"; do
    # Starting from one route (metric 3), walk the events: the count must never reach 0, the
    # metric-7 route must be added before the metric-3 one is deleted.
    verdict=$(awk -v p="$p" '
        $3 != p { next }
        { n++ }
        $2 == "add" { count++; if ($5 == 7 && !add7) add7 = $1 }
        $2 == "del" { count--; if ($5 == 3 && !del3) del3 = $1; if (count < 1) zero = $1 }
        BEGIN { count = 1 }
        END {
            if (!add7) print "no add of metric 7"
            else if (!del3) print "no delete of metric 3"
            else if (add7 > del3) print "metric 7 added (line " add7 ") after metric 3 deleted (line " del3 ")"
            else if (zero) print "no route at all after line " zero
            else print "ok " n
        }' <<<"$events")
    [[ $verdict == ok* ]] || bad+=("$p: $verdict")
done
if ((${#bad[@]} == 0)) && [[ -n $events ]]; then
    pass "k: monitor log: for each of the ten prefixes the metric-7 route was added before the metric-3 one was deleted, never zero routes ($(wc -l <<<"$events") events)"
else
    fail "k-order" "make-before-break violated: ${bad[*]:-no events}"
    sed -n "$((from + 1)),$((to - 1))p" "$MON_LOG" | head -n 40 | sed 's/^/    /'
fi
monitor_stop
state_metric7() {
    [[ $(jq '[.routes[] | select(."kernel-metric" == 7 and ."in-kernel")] | length' "$STATE" 2>/dev/null) -eq 10 ]]
}
if wait_for 5 state_metric7; then
    pass "k: state file shows the ten routes with kernel-metric 7"
else
    fail "k-state" "state file: $(jq -c '[.routes[] | {prefix, "kernel-metric", "in-kernel"}]' "$STATE" 2>/dev/null)"
fi
stop_ripd || fail "k-exit" "SIGTERM: non-zero exit"
wait_for 3 no_zebra || fail "k-exit" "routes left after SIGTERM: $(zebra_routes)"

# --- l: SIGHUP tightening accept ---------------------------------------------------------------------
write_conf "$conf" timeout=30
start_ripd "$conf" ripd-accept
wait_for 10 all_ok 3 || abort "l-pre" "routes not learned with timeout 30: $(zebra_routes)"
inside=()
outside=()
for p in "${LAB_IPTV_PREFIXES[@]}"; do
    if [[ $p == 172.26.22.* ]]; then inside+=("$p"); else outside+=("$p"); fi
done
outside_gone() {
    local p
    for p in "${outside[@]}"; do absent "$p" || return 1; done
}
inside_ok() {
    local p
    for p in "${inside[@]}"; do only_zebra "$p" 3 || return 1; done
}
monitor_start reload-accept
from=$MARK_LINE
na0=$(drops not-accepted)
write_conf "$conf" timeout=30 accept=172.26.22.0/24
t0=$(lab_now)
kill -HUP "$RIPD_PID"
if wait_for 2 outside_gone; then
    pass "l: the ${#outside[@]} routes outside 172.26.22.0/24 (e.g. 172.26.80.0/21) gone $(lab_elapsed "$t0") s after SIGHUP (timeout is 30 s)"
else
    fail "l" "routes outside the new accept still there 2 s after SIGHUP: $(zebra_routes)"
fi
# The next announcements are filtered: wait until BIRD's next two updates have been refused.
if wait_for 5 drops_at_least not-accepted $((na0 + 2 * ${#outside[@]})) && outside_gone; then
    pass "l: BIRD's next updates refused (drops[not-accepted] $na0 -> $(drops not-accepted)), none came back"
else
    fail "l-filter" "drops[not-accepted] $na0 -> $(drops not-accepted); routes: $(zebra_routes)"
fi
monitor_mark || fail "l-mark" "monitor mark not seen"
to=$MARK_LINE
dels=$(monitor_events "$from" "$to" | awk '$2 == "del" { print $3 }' | sort -u | tr '\n' ' ')
if inside_ok && voip_ok && ! grep -q '172\.26\.22\.' <<<"$dels"; then
    pass "l: ${inside[*]} and the vlan3 route stayed, never deleted (deleted: $dels)"
else
    fail "l-inside" "routes inside the accept or on vlan3 lost: deleted $dels; now $(zebra_routes)"
fi
monitor_stop
stop_ripd || fail "l-exit" "SIGTERM: non-zero exit"
wait_for 3 no_zebra || fail "l-exit" "routes left after SIGTERM: $(zebra_routes)"

# --- m: restart with keep-routes-on-exit = yes ------------------------------------------------------
write_conf "$conf" keep=yes
start_ripd "$conf" ripd-keep1
wait_for 10 all_ok 3 || abort "m-pre" "routes not learned by the keep-routes instance: $(zebra_routes)"
monitor_start restart
from=$MARK_LINE
t0=$(lab_now)
stop_ripd
rc=$?
if [[ $rc -eq 0 ]] && all_ok 3; then
    pass "m: SIGTERM with keep-routes-on-exit -> exit 0 after $(lab_elapsed "$t0") s, the ten routes stay"
else
    fail "m-stop" "SIGTERM: exit $rc, routes: $(zebra_routes)"
fi
monitor_mark
stopped=$MARK_LINE
t_start=$(lab_now)
start_ripd "$conf" ripd-keep2
# Confirmed: every route in the table is in the kernel again (the adopted one matched).
state_all_in_kernel() {
    [[ $(jq '[.routes[] | select(."in-kernel" and .state == "active")] | length' "$STATE" 2>/dev/null) -eq 10 ]]
}
if wait_for 10 state_all_in_kernel; then
    pass "m: restarted instance confirmed the ten routes $(lab_elapsed "$t_start") s after its start"
else
    fail "m-confirm" "state file after restart: $(jq -c '[.routes[] | {prefix, "in-kernel", state}]' "$STATE" 2>/dev/null)"
fi
# The unconfirmed adopted routes are swept one timeout (4 s) after the start; the sweep
# schedules a state file write (1 s later). Wait for that write, then look again.
swept=$(awk -v t="$t_start" 'BEGIN { printf "%.6f", t + 4 + 1 }')
state_written_after_sweep() { le "$swept" "$(stat -c %.6Y "$STATE" 2>/dev/null || echo 0)"; }
if ! wait_for 10 state_written_after_sweep; then
    fail "m-sweep" "no state file write after the adoption sweep ($(stat -c %.6Y "$STATE"), want >= $swept)"
fi
monitor_mark || fail "m-mark" "monitor mark not seen"
to=$MARK_LINE
events=$(monitor_events "$from" "$to")
deleted=$(awk '$2 == "del" && $4 == "zebra"' <<<"$events")
touched=$(awk -v s="$stopped" '$1 > s && $4 == "zebra"' <<<"$events")
if [[ -z $deleted ]] && all_ok 3; then
    pass "m: no route deleted in the whole restart ($(secs_between "$t0" "$(lab_now)") s, sweep included), all ten there after BIRD's updates"
else
    fail "m-kept" "routes deleted during the restart: $(tr '\n' ';' <<<"$deleted"); now: $(zebra_routes)"
fi
if [[ -z $touched ]]; then
    pass "m: the restarted daemon confirmed them in place: no kernel route change at all"
else
    fail "m-in-place" "the restarted daemon changed routes it should have confirmed: $(tr '\n' ';' <<<"$touched")"
fi
state_ten() {
    local p
    for p in "${ALL_PREFIXES[@]}"; do
        [[ $(state_route "$p" | jq -r '."in-kernel"') == true ]] || return 1
    done
}
if state_ten; then
    pass "m: the state file shows the ten routes in the kernel"
else
    fail "m-state" "state file: $(jq -c '[.routes[] | {prefix, "in-kernel"}]' "$STATE" 2>/dev/null)"
fi
monitor_stop

# Adopted routes nobody confirms: BIRD dead, the routes left by a keep-routes exit go one
# timeout after the start.
stop_ripd || fail "m-stop2" "SIGTERM: non-zero exit"
all_ok 3 || fail "m-stop2" "routes not kept by the second keep-routes exit: $(zebra_routes)"
kill -KILL "$BIRD_PID"
wait "$BIRD_PID" 2>/dev/null
write_conf "$conf" timeout=4
t_start=$(lab_now)
start_ripd "$conf" ripd-orphans
if wait_for 10 no_zebra; then
    el=$(lab_elapsed "$t_start")
    # Kept until the sweep one timeout after the start: not before ~4 s, not long after.
    if le 3.5 "$el" && le "$el" 6.0; then
        pass "m: BIRD dead: the ten adopted routes removed $el s after the start (timeout 4 s)"
    else
        fail "m-sweep-time" "adopted routes removed $el s after the start; want about 4 s (3.5 - 6)"
    fi
    grep -m1 'earlier run nobody announced' "$CUR_LOG" | sed 's/^/    /'
else
    fail "m-sweep" "adopted routes still there 10 s after the start with BIRD dead: $(zebra_routes)"
    dump_logs
fi
stop_ripd || fail "m-exit" "SIGTERM: non-zero exit"

lab_finish ripd-passive-lifecycle
