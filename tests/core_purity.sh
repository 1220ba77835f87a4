#!/usr/bin/env bash
# The cores stay pure (docs/architecture.md): no file of a core, of messages/, domain/ or
# NodeCores may reach for ZeroMQ, threads, a clock or a global random source. Shells
# (*_shell.*, and file_block_store, the ledger shell's disk, as CMakeLists.txt counts it),
# runtime/ and the Node may.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
files=$(ls messages/*.[ch]pp messages/json/*.[ch]pp domain/*.[ch]pp actors/{network,mutex,ledger,bank}/*.[ch]pp node/node_cores.[ch]pp | grep -vE '_shell\.|file_block_store\.')
bad=$(grep -nE '#include <(zmq|zmq_addon)\.hpp>|#include <(thread|chrono|random|mutex|atomic|condition_variable|future|ctime)>|std::(rand|srand|random_device)\b|\b(steady_clock|system_clock|high_resolution_clock)\b|\btime\(|\bclock_gettime\b|\bgettimeofday\b' $files)
if [ -n "$bad" ]; then
  echo "impure core code:"
  echo "$bad"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "$(echo "$files" | wc -l) core files are pure"
echo "1 passed, 0 failed"
