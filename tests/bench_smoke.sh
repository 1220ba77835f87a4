#!/usr/bin/env bash
# bank-bench end to end: a short real run must end consistent, with the JSON line last and
# its keys in their fixed order; a bad flag must exit 2. Speed is not judged here.
set -u
bench="$1"
out=$("$bench" --nodes 3 --clients 4 --seconds 1 --fsync off 2>/dev/null)
code=$?
last=$(printf '%s\n' "$out" | tail -n 1)
fail() { echo "bench_smoke: $1"; printf '%s\n' "$out"; exit 1; }
[ "$code" -eq 0 ] || fail "exit $code, expected 0"
case "$last" in
  '{"nodes":3,"clients":4,"seconds":1,"committed":'*) ;;
  *) fail "the last line is not the JSON result" ;;
esac
for key in committed aborted throughput p50_ms p99_ms msgs_per_cs; do
  printf '%s' "$last" | grep -q "\"$key\":" || fail "no $key in the JSON line"
done
printf '%s' "$last" | grep -q '"consistent":true' || fail "not consistent"
# Every frame is counted from the nodes' metrics: null would mean a node did not answer them.
printf '%s' "$last" | grep -Eq '"msgs_per_cs":[1-9]' || fail "msgs_per_cs is not a count of frames"
printf '%s' "$last" | grep -q '"committed":0,' && fail "nothing committed"
"$bench" --nodes 1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--nodes 1 did not exit 2"
echo "bench_smoke: ok: $last"
