#!/usr/bin/env bash
# cmake --install puts the programs (bank-web included), the lnav format and the systemd unit template under a
# prefix; the unit parses without a warning and its hardening rates "OK" or better in
# systemd-analyze security (those two checks skipped when systemd-analyze is not installed).
set -uo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fail=1; fi; }
cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAILED: cmake --install"; exit 1; }
for p in bank-node bank-cli bank-keys bank-bench bank-trace bank-web; do check "installs $p" test -x "$prefix/bin/$p"; done
check "the installed bank-cli runs" bash -c "'$prefix/bin/bank-cli' --help | grep -q bank-cli"
check "installs the lnav format" test -f "$prefix/share/lamport-bank/lnav/lamport_bank_log.json"
unit="$prefix/lib/systemd/system/bank-node@.service"
check "installs the unit template" test -f "$unit"
check "the unit starts bank-node by its full path with the node's id" grep -qE '^ExecStart=/[^ ]*/bin/bank-node --config [^ ]+ --id %i ' "$unit"
if command -v systemd-analyze >/dev/null; then
  dir=$(mktemp -d)
  # Pointed at the binary under this prefix, since verify checks that it exists.
  sed "s|^ExecStart=[^ ]*/bank-node|ExecStart=$prefix/bin/bank-node|" "$unit" > "$dir/bank-node@.service"
  out=$(systemd-analyze verify "$dir/bank-node@1.service" 2>&1)
  check "systemd-analyze verify has nothing to say" test -z "$out"
  [ -z "$out" ] || echo "$out"
  level=$(systemd-analyze security --offline=true "$dir/bank-node@.service" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  echo "exposure level: ${level:-unknown}"
  check "hardened: exposure level under 2.0" awk -v l="${level:-10}" 'BEGIN { exit !(l < 2.0) }'
  rm -rf "$dir"
else
  echo "systemd-analyze is not installed: the unit's checks skipped"
fi
exit $fail
