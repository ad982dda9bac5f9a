# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# triplay lab library: network namespaces, veth links and bridges for the integration tests,
# the benchmarks and the whole-router lab. Plain bash + iproute2. Source it, then call lab_init.
#
# The seed's topology (lab_seed_topology; lab_seed_wan builds only isp + router):
#
#   +------------------------------- isp (Movistar) ----------------------------------+
#   |  bridge vlan2 10.128.0.1/9    bridge vlan3 10.25.192.1/19    bridge vlan6 (no IP)  |
#   |   port r-vlan2                  port r-vlan3                   port r-vlan6         |
#   +------|-----------------------------|------------------------------|---------------+
#          | veth                        | veth                         | veth
#   +------|-----------------------------|------------------------------|---------------+
#   |  vlan2 10.214.1.2/9           vlan3 10.25.200.10/19          vlan6 (PPPoE later)  |
#   |                                router                                            |
#   |                          vlan100 192.168.1.1/24                                  |
#   +-------------------------------------|--------------------------------------------+
#                                         | veth
#   +-------------------------------------|-------------- lan (the switch) -----------+
#   |                              port p-router                                      |
#   |        bridge br0 (mcast_snooping 1: IGMP snooping like the home switch)        |
#   |                port p-deco                      port p-pc                      |
#   +-------------------|--------------------------------|----------------------------+
#                       | veth                           | veth
#                 +-----|-----+                    +-----|-----+
#                 | deco eth0 |                    |  pc eth0  |   (no addresses: DHCP)
#                 +-----------+                    +-----------+
#
# The isp side of each VLAN is a bridge named like the VLAN, so more hosts (an attacker, a
# multicast source, a second gateway) can join a segment with lab_attach.
#
# Namespace names get a per-run prefix (LAB_PREFIX, default "tp<pid>-") so parallel runs never
# collide; every helper takes the short name ("router") and lab_nsname prints the real one.
# Set LAB_PREFIX= (empty) for an interactive lab whose namespaces are literally "isp", "router"...
#
# Conventions: exit 77 = skip (lab_skip), 99 = hard failure (lab_fail). Never sleep to
# synchronise: wait_for polls a condition until a deadline.

[[ -n ${LAB_LIB_LOADED:-} ]] && return 0
LAB_LIB_LOADED=1

LAB_PREFIX=${LAB_PREFIX-tp$$-}
LAB_DIR=                # per-run scratch directory (configs, logs, state), removed on exit
LAB_KEEP=${LAB_KEEP:-0} # 1: keep LAB_DIR after exit (debugging)
LAB_NAMESPACES=()       # short names created by lab_ns
LAB_PIDS=()             # background processes started by lab_spawn
LAB_LAST_PID=
LAB_CLEANUP_HOOKS=()

lab_log() { printf '%s\n' "$*" >&2; }
lab_skip() { lab_log "SKIP: $*"; exit 77; }
lab_fail() { lab_log "FAIL: $*"; exit 99; }
lab_pass() { printf 'PASS: %s\n' "$*"; }

lab_require_root() {
    [[ $(id -u) -eq 0 ]] || lab_skip "needs root (network namespaces)"
}

# lab_require_cmd CMD...: skip unless every command is on PATH.
lab_require_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || lab_skip "needs '$c' (not found on PATH)"
    done
}

# Skip when this kernel cannot give us namespaces, veth or bridges.
lab_require_netns() {
    local probe="${LAB_PREFIX}probe$RANDOM"
    ip netns add "$probe" 2>/dev/null || lab_skip "cannot create network namespaces"
    if ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null; then
        ip netns del "$probe"
        lab_skip "kernel has no veth"
    fi
    if ! ip -n "$probe" link add b0 type bridge 2>/dev/null; then
        ip netns del "$probe"
        lab_skip "kernel has no bridge"
    fi
    ip netns del "$probe"
}

# lab_init: require root/ip, make LAB_DIR, register cleanup on EXIT (and INT/TERM -> exit).
lab_init() {
    lab_require_root
    lab_require_cmd ip
    lab_require_netns
    LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triplay-lab.XXXXXX") || lab_fail "mktemp failed"
    chmod 755 "$LAB_DIR" # daemons drop to nobody and must still reach their files
    mkdir -p "$LAB_DIR/run"
    chmod 1777 "$LAB_DIR/run" # state files written after the privilege drop
    trap lab_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab_on_cleanup CMD: run CMD (eval'd) at cleanup, before processes are killed.
lab_on_cleanup() { LAB_CLEANUP_HOOKS+=("$1"); }

lab_cleanup() {
    local rc=$? h pid ns deadline
    trap - EXIT INT TERM
    for h in "${LAB_CLEANUP_HOOKS[@]}"; do eval "$h" || true; done
    for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + 3))
    for pid in "${LAB_PIDS[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    # Anything still running inside our own namespaces was started by this run.
    for ns in "${LAB_NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$(lab_nsname "$ns")" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$(lab_nsname "$ns")" 2>/dev/null || true; done
    if [[ -n $LAB_DIR && -d $LAB_DIR ]]; then
        if [[ $LAB_KEEP == 1 ]]; then lab_log "lab: kept $LAB_DIR"; else rm -rf "$LAB_DIR"; fi
    fi
    exit "$rc"
}

lab_nsname() { printf '%s%s' "$LAB_PREFIX" "$1"; }

# lab_ns NAME: new namespace with lo up.
lab_ns() {
    local full
    full=$(lab_nsname "$1")
    if [[ -e /run/netns/$full ]]; then
        lab_fail "namespace $full already exists: another lab is running, or one was killed hard (ip netns del $full)"
    fi
    ip netns add "$full" || lab_fail "ip netns add $full"
    LAB_NAMESPACES+=("$1")
    ip -n "$full" link set lo up
}

# lab_exec NS CMD...: run CMD inside namespace NS (foreground).
lab_exec() {
    local ns=$1
    shift
    ip netns exec "$(lab_nsname "$ns")" "$@"
}

# lab_ip NS ARGS...: ip -n <NS> ARGS...
lab_ip() {
    local ns=$1
    shift
    ip -n "$(lab_nsname "$ns")" "$@"
}

# lab_link NS1 IF1 NS2 IF2: veth pair IF1 (in NS1) <-> IF2 (in NS2), both up. Created directly
# inside the namespaces, so names never clash with the host or other runs.
lab_link() {
    ip -n "$(lab_nsname "$1")" link add "$2" type veth peer name "$4" netns "$(lab_nsname "$3")" ||
        lab_fail "veth $1:$2 <-> $3:$4"
    lab_up "$1" "$2"
    lab_up "$3" "$4"
}

# lab_addr NS IF CIDR
lab_addr() {
    lab_ip "$1" addr add "$3" dev "$2" || lab_fail "addr $3 on $1:$2"
}

# lab_up NS IF...
lab_up() {
    local ns=$1 i
    shift
    for i in "$@"; do lab_ip "$ns" link set "$i" up || lab_fail "link up $ns:$i"; done
}

# lab_bridge NS BR [igmp_snooping]: bridge without STP, no forward delay; multicast snooping
# only when asked (then the bridge is also the IGMP querier, like a managed switch).
lab_bridge() {
    local ns=$1 br=$2 snoop=0 querier=0
    if [[ ${3:-} == igmp_snooping ]]; then snoop=1 querier=1; fi
    lab_ip "$ns" link add "$br" type bridge stp_state 0 forward_delay 0 \
        mcast_snooping "$snoop" mcast_querier "$querier" || lab_fail "bridge $ns:$br"
    lab_up "$ns" "$br"
}

# lab_port NS BR IF: enslave IF to bridge BR.
lab_port() {
    lab_ip "$1" link set "$3" master "$2" || lab_fail "port $1:$3 -> $2"
}

# lab_attach NS IF BRNS BR PORT: veth from NS:IF to a new port PORT of bridge BRNS:BR.
lab_attach() {
    lab_link "$1" "$2" "$3" "$5"
    lab_port "$3" "$4" "$5"
}

# lab_spawn NS LOG CMD...: start CMD in NS in the background, stdout+stderr to LOG; its pid in
# LAB_LAST_PID. Killed at cleanup.
lab_spawn() {
    local ns=$1 log=$2
    shift 2
    ip netns exec "$(lab_nsname "$ns")" "$@" >"$log" 2>&1 &
    LAB_LAST_PID=$!
    LAB_PIDS+=("$LAB_LAST_PID")
}

# lab_stop PID [SIG]: signal a spawned process and reap it; returns its exit status.
lab_stop() {
    local pid=$1 sig=${2:-TERM} rc=0
    kill -"$sig" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

# lab_now: seconds since the epoch with microseconds (bash 5 EPOCHREALTIME).
lab_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }

# lab_elapsed T0: seconds since T0 (from lab_now), 3 decimals.
lab_elapsed() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.3f", b - a }'; }

# wait_for TIMEOUT_S CMD...: run CMD every 50 ms until it succeeds (return 0) or TIMEOUT_S
# seconds pass (return 1, saying what it waited for). CMD may be a shell function.
wait_for() {
    local timeout=$1 start now
    shift
    start=$(lab_now)
    local deadline
    deadline=$(awk -v s="$start" -v t="$timeout" 'BEGIN { printf "%.6f", s + t }')
    while true; do
        "$@" >/dev/null 2>&1 && return 0
        now=$(lab_now)
        if awk -v n="$now" -v d="$deadline" 'BEGIN { exit !(n >= d) }'; then
            lab_log "timeout after ${timeout}s waiting for: $*"
            return 1
        fi
        sleep 0.05
    done
}

# lab_not CMD...: succeed when CMD fails (for wait_for lab_not ...).
lab_not() { ! "$@"; }

# --- case bookkeeping, for tests of many checks --------------------------------------------
# pass MSG and fail CASE MSG print one line per check and remember the failed cases; abort
# CASE MSG is a failure after which nothing else can run (it calls the script's dump_logs when
# there is one); lab_finish NAME ends the script: exit 99 when a case failed, else 0.
FAILED=()
pass() { lab_pass "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*"
    FAILED+=("$1")
}
abort() {
    fail "$@"
    if declare -F dump_logs >/dev/null; then dump_logs; fi
    LAB_KEEP=1
    lab_fail "aborting after: $1"
}
lab_finish() {
    if ((${#FAILED[@]})); then
        lab_log "$1: ${#FAILED[@]} failed: ${FAILED[*]}"
        LAB_KEEP=1 # lab_cleanup keeps the scratch directory for a look
        exit 99
    fi
    echo "$1: all cases passed"
}

# lab_alive PID: process exists and is not a zombie.
lab_alive() {
    local st
    st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $st && $st != Z ]]
}

# lab_seed_wan: namespaces isp and router, linked by vlan2/vlan3/vlan6 as in the seed.
lab_seed_wan() {
    lab_ns isp
    lab_ns router
    local v
    for v in vlan2 vlan3 vlan6; do
        lab_bridge isp "$v"
        lab_attach router "$v" isp "$v" "r-$v"
    done
    lab_addr isp vlan2 10.128.0.1/9
    lab_addr isp vlan3 10.25.192.1/19
    lab_addr router vlan2 10.214.1.2/9
    lab_addr router vlan3 10.25.200.10/19
    lab_exec router sysctl -qw net.ipv4.ip_forward=1
}

# lab_seed_lan: namespaces lan (br0, IGMP snooping), deco and pc; router's vlan100 on br0.
lab_seed_lan() {
    lab_ns lan
    lab_ns deco
    lab_ns pc
    lab_bridge lan br0 igmp_snooping
    lab_attach router vlan100 lan br0 p-router
    lab_addr router vlan100 192.168.1.1/24
    lab_attach deco eth0 lan br0 p-deco
    lab_attach pc eth0 lan br0 p-pc
}

# lab_seed_topology: the whole picture at the top of this file.
lab_seed_topology() {
    lab_seed_wan
    lab_seed_lan
}

# The nine IPTV prefixes Movistar announces on vlan2 and the VoIP prefix on vlan3 (the seed).
LAB_IPTV_PREFIXES=(172.26.22.0/26 172.26.22.56/29 172.26.23.0/27 172.26.23.4/32 172.26.23.5/32
    172.26.23.23/32 172.26.23.24/32 172.26.23.30/32 172.26.80.0/21)
LAB_VOIP_PREFIX=10.31.255.128/27

# lab_route_line NS PREFIX: the kernel's line for PREFIX in NS (host routes print without /32).
lab_route_line() {
    local p=${2%/32}
    lab_ip "$1" -4 route show exact "$p" 2>/dev/null | head -n1
}

# lab_has_route NS PREFIX REGEX: a route for PREFIX exists and its line matches REGEX.
lab_has_route() {
    local line
    line=$(lab_route_line "$1" "$2")
    [[ -n $line && $line =~ $3 ]]
}

# --- BIRD (bird2) helpers -------------------------------------------------------------------

# lab_bird_start NS TAG CONF: run "bird -f" in NS with its own control socket and pid file under
# LAB_DIR (TAG.ctl, TAG.pid, log TAG.log); wait until birdc answers. Pid in LAB_LAST_PID.
lab_bird_start() {
    local ns=$1 tag=$2 conf=$3
    rm -f "$LAB_DIR/$tag.ctl"
    lab_spawn "$ns" "$LAB_DIR/$tag.log" bird -f -c "$conf" -s "$LAB_DIR/$tag.ctl" -P "$LAB_DIR/$tag.pid"
    local pid=$LAB_LAST_PID
    wait_for 10 lab_birdc "$tag" show status || lab_fail "bird $tag did not start: $(tail -n5 "$LAB_DIR/$tag.log")"
    LAB_LAST_PID=$pid
}

# lab_birdc TAG CMD...: talk to the BIRD started as TAG.
lab_birdc() {
    local tag=$1
    shift
    birdc -s "$LAB_DIR/$tag.ctl" "$@"
}

# lab_isp_bird_conf FILE [UPDATE_S] [VLAN3_KEY]: BIRD config for the isp namespace playing
# Movistar: the nine IPTV prefixes by RIPv2 multicast on vlan2 and the VoIP prefix on vlan3
# with keyed-MD5 (key id 1, key VLAN3_KEY, default "secret"), each prefix in its own static
# protocol (iptv1..iptv9, voip1) so a test can withdraw one with "birdc disable iptvN".
# Routes leave with next hop 0.0.0.0, i.e. "via the sender" (10.128.0.1 / 10.25.192.1), and
# metric 2: what Movistar announces (Quagga added the interface cost: the seed's "metric 3").
lab_isp_bird_conf() {
    local file=$1 upd=${2:-30} key=${3:-secret} i=0 p
    {
        echo "router id 10.128.0.1;"
        echo "log stderr all;"
        echo "protocol device { scan time 10; }"
        for p in "${LAB_IPTV_PREFIXES[@]}"; do
            i=$((i + 1))
            echo "protocol static iptv$i { ipv4 { import all; }; route $p blackhole; }"
        done
        echo "protocol static voip1 { ipv4 { import all; }; route $LAB_VOIP_PREFIX blackhole; }"
        cat <<EOC
protocol rip rip_iptv {
  ipv4 { import none; export filter { if proto ~ "iptv*" then { rip_metric = 2; accept; } reject; }; };
  interface "vlan2" { version 2; mode multicast; update time $upd; };
}
protocol rip rip_voip {
  ipv4 { import none; export filter { if proto ~ "voip*" then { rip_metric = 2; accept; } reject; }; };
  interface "vlan3" {
    version 2; mode multicast; update time $upd;
    authentication cryptographic;
    password "$key" { id 1; algorithm keyed md5; };
  };
}
EOC
    } >"$file"
}
