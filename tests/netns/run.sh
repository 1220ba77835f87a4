#!/usr/bin/env bash
# Hosts in network namespaces: makes a bridge in a namespace of its own and, for each of
# NODES nodes, a namespace with one address on that bridge (a veth pair: eth0 in the node's
# namespace, PREFIXvN on the bridge), then runs the netns tests (BINARY, doctest arguments
# after it) inside the bridge's namespace, where they reach every node as a host on the
# network would. Addresses come from 10.231.0.0/16 and live only in these namespaces; every
# name starts with bank<pid>, so parallel runs cannot collide; everything is removed at
# the end, whatever happened. Without root and CAP_NET_ADMIN, or without nft, it says so in
# one line and exits 77 (ctest: skipped).
set -u
binary=$1
shift
nodes=4
prefix="bank$$"
net="10.231.$(($$ % 250 + 1))"

cleanup() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${prefix}[bn]"); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! ip netns add "${prefix}b" 2>/dev/null; then
  echo "netns: skipped: cannot make network namespaces here (it needs root with CAP_NET_ADMIN)"
  exit 77
fi
if ! command -v nft >/dev/null; then
  echo "netns: skipped: nft is missing (scripts/deps.sh installs nftables)"
  exit 77
fi
set -e
ip -n "${prefix}b" link set lo up
ip -n "${prefix}b" link add br0 type bridge
ip -n "${prefix}b" addr add "$net.254/24" dev br0
ip -n "${prefix}b" link set br0 up
for i in $(seq 1 $nodes); do
  ip netns add "${prefix}n$i"
  ip -n "${prefix}n$i" link set lo up
  ip link add "${prefix}v$i" netns "${prefix}b" type veth peer name eth0 netns "${prefix}n$i"
  ip -n "${prefix}b" link set "${prefix}v$i" master br0 up
  ip -n "${prefix}n$i" addr add "$net.$i/24" dev eth0
  ip -n "${prefix}n$i" link set eth0 up
done
set +e
ip netns exec "${prefix}b" env BANK_NETNS_PREFIX="$prefix" BANK_NETNS_NET="$net" BANK_NETNS_NODES="$nodes" "$binary" "$@"
