#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lab's first room: Movistar's passive RIP, as in the seed.
#
#   +---------------------- isp --------------------------------+
#   |  BIRD "Movistar": RIPv2 multicast 224.0.0.9, update 30 s   |
#   |  vlan2 (bridge) 10.128.0.1/9     vlan3 (bridge) 10.25.192.1/19, keyed MD5 "secret" id 1
#   |   nine IPTV prefixes              10.31.255.128/27        |
#   +------|-------------------------------|---------------------+
#          | veth                          | veth
#   +------|-------------------------------|---------------------+
#   |  vlan2 10.214.1.2/9            vlan3 10.25.200.10/19       |
#   |  ripd-passive (never sends) -> kernel routes proto zebra metric 3
#   |                     router   (vlan6, vlan100 too)          |
#   +-----------------------------------------------------------+
#   (lan, deco and pc hang off router's vlan100: see test/lab/lib.sh)
#
# Usage:
#   test/lab/ripd-lab.sh [--check] [PATH/TO/ripd-passive]     (or RIPD=... in the environment)
#   --check: build, wait for the ten routes, print them, tear down; exit 0 (ok), 99 (fail),
#            77 (skip). Without it the lab stays up until Ctrl-C.
#   Interactive with the literal namespace names:  LAB_PREFIX= test/lab/ripd-lab.sh
#   LAB_RIP_UPDATE=N sets BIRD's update interval (default 30 s, like a real RIP router).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
source "$HERE/lib.sh"

check=0
ripd=${RIPD:-}
for a in "$@"; do
    case $a in
        --check) check=1 ;;
        -h | --help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) ripd=$a ;;
    esac
done
[[ -z $ripd ]] && for c in "$HERE/../../build/ripd-passive/ripd-passive" "$(command -v ripd-passive 2>/dev/null)"; do
    [[ -n $c && -x $c ]] && { ripd=$c; break; }
done
[[ -n $ripd && -x $ripd ]] || lab_skip "no ripd-passive binary (give its path as argument or RIPD=)"
ripd=$(realpath "$ripd")

lab_require_root
lab_require_cmd bird birdc
id nobody >/dev/null 2>&1 || lab_skip "needs user 'nobody' (the daemon drops privileges to it)"
lab_init
lab_seed_topology

# The seed's ripd.conf ("router rip / version 2 / network vlan2 vlan3 / passive-interface")
# in ripd-passive's words.
conf=$LAB_DIR/ripd-passive.conf
state=$LAB_DIR/run/ripd-passive.json
cat >"$conf" <<EOF
[global]
proto = zebra
metric = rip+1
table = main
state-file = $state
user = nobody

[interface vlan2]
version = 2
neighbors = 10.128.0.1
accept = 172.26.0.0/16

[interface vlan3]
version = 2
auth = md5
key = secret
key-id = 1
EOF
chmod 644 "$conf"

"$ripd" -c "$conf" -n || lab_fail "ripd-passive -n rejects the lab config"

# ripd-passive first, so BIRD's very first update (sent at its start) is heard.
lab_spawn router "$LAB_DIR/ripd-passive.log" "$ripd" -c "$conf" -f -v
ripd_pid=$LAB_LAST_PID
joined() { lab_ip router maddr show dev "$1" | grep -q '224\.0\.0\.9'; }
listening_or_dead() { ! lab_alive "$ripd_pid" || { joined vlan2 && joined vlan3; }; }
if ! wait_for 10 listening_or_dead || ! lab_alive "$ripd_pid"; then
    lab_fail "ripd-passive did not join 224.0.0.9 on vlan2/vlan3: $(tail -n5 "$LAB_DIR/ripd-passive.log")"
fi

lab_isp_bird_conf "$LAB_DIR/isp-bird.conf" "${LAB_RIP_UPDATE:-30}"
lab_bird_start isp isp "$LAB_DIR/isp-bird.conf"

# All ten routes, exactly as the seed lists them.
all_routes() {
    local p
    for p in "${LAB_IPTV_PREFIXES[@]}"; do
        lab_has_route router "$p" 'via 10\.128\.0\.1 dev vlan2 proto zebra metric 3' || return 1
    done
    lab_has_route router "$LAB_VOIP_PREFIX" 'via 10\.25\.192\.1 dev vlan3 proto zebra metric 3'
}
if ! wait_for 60 all_routes; then
    lab_ip router route >&2
    lab_log "--- ripd-passive log"
    tail -n 30 "$LAB_DIR/ripd-passive.log" >&2
    lab_fail "the ten Movistar routes did not all appear"
fi
lab_alive "$ripd_pid" || lab_fail "ripd-passive died"

echo "# ip -n $(lab_nsname router) route"
lab_ip router route
if ((check)); then
    lab_pass "lab-ripd: ten routes via vlan2/vlan3, proto zebra metric 3"
    exit 0
fi

r=$(lab_nsname router) i=$(lab_nsname isp)
cat <<EOF

The lab is up. Look around (another terminal):
  ip netns exec $r ip route                  # the routes ripd-passive installed
  ip netns exec $r ip monitor route          # watch them change
  ip netns exec $i tcpdump -ni vlan2 -vv udp port 520
  birdc -s $LAB_DIR/isp.ctl show route        # what "Movistar" announces
  birdc -s $LAB_DIR/isp.ctl disable iptv9     # withdraw 172.26.80.0/21 (enable to bring back)
  kill -USR1 $ripd_pid                        # ripd-passive logs its table
  cat $state
  logs: $LAB_DIR/ripd-passive.log  $LAB_DIR/isp.log
Namespaces: $(printf '%s ' "${LAB_NAMESPACES[@]/#/$LAB_PREFIX}")
Ctrl-C tears everything down.
EOF
while lab_alive "$ripd_pid"; do sleep 1; done # idle until Ctrl-C (not a synchronisation)
lab_fail "ripd-passive exited: $(tail -n5 "$LAB_DIR/ripd-passive.log")"
