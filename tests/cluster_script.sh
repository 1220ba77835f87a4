#!/usr/bin/env bash
# scripts/cluster as an operator uses it, on two configs of its own (free ports, a temporary
# folder): up shows build progress and brings every node up; status fails while a node is
# down; one node stops, starts and restarts alone; logs shows one node's lines; a stray
# process on a node's port makes up fail for that node only; a pid file naming another
# process is not trusted; down stops three nodes in under 2 s; two configs keep apart
# run folders; reset deletes the data only when told. up also starts the dashboard (bank-web)
# and prints its address, which then serves the page and /metrics; down stops it.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cluster="$root/scripts/cluster"
tmp=$(mktemp -d)
fail=0
check() {  # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fail=1; fi
}
ports=($(python3 -c '
import socket
socks = [socket.socket() for _ in range(12)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))'))
write_config() {  # file, first port index
  local i=$2
  cat >"$1" <<EOF
initial_balance: 10.00
data_dir: data-$(basename "$1" .yaml)
keys_dir: keys
nodes:
  - {id: 1, host: 127.0.0.1, port: ${ports[$i]}, console: ${ports[$((i + 1))]}}
  - {id: 2, host: 127.0.0.1, port: ${ports[$((i + 2))]}, console: ${ports[$((i + 3))]}}
  - {id: 3, host: 127.0.0.1, port: ${ports[$((i + 4))]}, console: ${ports[$((i + 5))]}}
EOF
}
write_config "$tmp/one.yaml" 0
write_config "$tmp/two.yaml" 6
one=("$cluster" --config "$tmp/one.yaml")
two=("$cluster" --config "$tmp/two.yaml")
cleanup() {
  "${one[@]}" reset --yes >/dev/null 2>&1
  "${two[@]}" reset --yes >/dev/null 2>&1
  [ -n "${stray:-}" ] && kill "$stray" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

out=$("${one[@]}" up 2>&1); rc=$?
check "up exits 0" [ $rc -eq 0 ]
check "up shows build progress" grep -q "100%" <<<"$out"
check "up says the nodes are up" grep -q "cluster up: nodes 1 2 3" <<<"$out"
run_one=$(sed -n 's/^  logs: \(.*\)\/logs\/node-N.log.*/\1/p' <<<"$out")
check "up names the run folder" [ -d "$run_one/logs" ]
check "status exits 0 with every node up" "${one[@]}" status
web=$(sed -n 's/^  dashboard: \(http:[^ ]*\) .*/\1/p' <<<"$out")
check "up prints the dashboard's address" [ -n "$web" ]
# The page, and /metrics once bank-web has had an answer from every node (bounded).
check "the dashboard serves its page" python3 -c '
import sys, urllib.request
page = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
sys.exit(0 if "<title>Lamport Bank: live</title>" in page else 1)' "$web"
check "and every node's metrics" python3 -c '
import sys, time, urllib.request
for _ in range(100):
    text = urllib.request.urlopen(sys.argv[1] + "metrics", timeout=5).read().decode()
    if all(f"lamport_bank_up{{node=\"{n}\"}} 1" in text for n in (1, 2, 3)): sys.exit(0)
    time.sleep(0.1)
sys.exit(1)' "$web"

out=$("${one[@]}" down 2); check "down NODE stops that node" grep -q "1 node(s) stopped" <<<"$out"
out=$("${one[@]}" status); rc=$?
check "status exits 1 with a node down" [ $rc -eq 1 ]
check "status names the node down" grep -qx "node 2: down" <<<"$out"
check "the other nodes stay up" grep -q "^node 1 .*height" <<<"$out"
check "up NODE starts it again" "${one[@]}" up 2
check "status exits 0 again" "${one[@]}" status
before=$(pgrep -f "one.yaml --id 1( |$)")
check "restart NODE" "${one[@]}" restart 1
after=$(pgrep -f "one.yaml --id 1( |$)")
check "restart made a new process" [ -n "$after" ] && [ "$before" != "$after" ]
out=$("${one[@]}" logs 3)
check "logs NODE shows that node's lines" grep -q '"node":3' <<<"$out"
check "and no other node's" bash -c '! grep -q "\"node\":[12]," <<<"$1"' _ "$out"

# A pid file that names a live process which is not that node: not trusted, not killed.
sleep 60 & decoy=$!
echo "$decoy" > "$run_one/pids/node-1.pid"
"${one[@]}" down 1 >/dev/null
check "down leaves a process a stale pid file names" kill -0 "$decoy"
check "down still stops the node itself" bash -c '! pgrep -f "one.yaml --id 1( |$)" >/dev/null'
kill "$decoy"
"${one[@]}" up 1 >/dev/null

# A second config: its own run folder, nothing written into the first's.
lines_before=$(cat "$run_one"/logs/node-1.log | wc -l)
out=$("${two[@]}" up 2>&1); rc=$?
check "a second config comes up beside the first" [ $rc -eq 0 ]
run_two=$(sed -n 's/^  logs: \(.*\)\/logs\/node-N.log.*/\1/p' <<<"$out")
check "with a run folder of its own" [ -n "$run_two" ] && [ "$run_two" != "$run_one" ] && [ -f "$run_two/logs/node-1.log" ]
check "both answer status" "${two[@]}" status
"${two[@]}" down >/dev/null

# A stray process on node 2's console port: up fails for node 2, and says why. It binds as
# servers do (SO_REUSEADDR, as the node's own sockets): the dashboard's connections to the
# node that just stopped leave the port in TIME_WAIT for a minute.
"${one[@]}" down 2 >/dev/null
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "${ports[3]}" &
stray=$!
sleep 0.5
out=$("${one[@]}" up 2 2>&1); rc=$?
check "up fails when the node cannot take its port" [ $rc -eq 1 ]
check "and says so with the node's own words" grep -q "node 2 did not come up" <<<"$out"
check "the nodes already up stay up" bash -c "'$cluster' --config '$tmp/one.yaml' status | grep -q '^node 1 .*height'"
kill "$stray"; stray=""
"${one[@]}" up 2 >/dev/null

start=$(date +%s%N)
out=$("${one[@]}" down)
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "down took ${elapsed_ms} ms"
check "down stops three nodes and the dashboard" grep -q "3 node(s) and the dashboard stopped" <<<"$out"
check "in under 2 s" [ "$elapsed_ms" -lt 2000 ]
check "the dashboard is gone" bash -c '! pgrep -f "bank-web --config $1 " >/dev/null' _ "$tmp/one.yaml"

check "reset without --yes and without a terminal deletes nothing" bash -c "! '$cluster' --config '$tmp/one.yaml' reset </dev/null && [ -d '$tmp/data-one/node-1' ]"
check "reset --yes deletes the data" bash -c "'$cluster' --config '$tmp/one.yaml' reset --yes >/dev/null && [ ! -e '$tmp/data-one/node-1' ] && [ -f '$tmp/keys/node-1.secret' ]"
check "--help says how" bash -c "'$cluster' --help | grep -q 'usage: scripts/cluster'"
"$cluster" frobnicate >/dev/null 2>&1; rc=$?
check "an unknown command exits 2" [ $rc -eq 2 ]
exit $fail
