#!/usr/bin/env python3
"""The layout has no arrow back up: every #include "..." in the product points to the same
folder or to a lower layer, and no two files (a .hpp and its .cpp count as one) include each
other round a cycle. Layers, lowest first:

 -1 messages/result.hpp
                    Result and Error, how every layer answers: this one file sits below
                    its folder, as the JSON readers report through it too
  0 messages/json   the JSON readers and writers: strict (nlohmann), in place, by hand
  1 messages        wire types and their codecs
  2 config, domain  the cluster config; money, balances and transfer checks
  3 security        keys, key files, signatures, who a CURVE key is
  4 runtime         what hosts actors: ActorShell, ActorThread, LogSink, the ZAP handler
  5 actors/*        network, mutex, ledger, bank: each a core and a shell; no actor
                    includes another
  6 node            NodeCores and Node: the four actors composed
  7 client          the console client and the process cluster the tools share
  7.5 apps/live     following a cluster's nodes live, its state, rates and Prometheus
                    text: bank-web's and bank-cli watch's
  8 apps/bench      bank-bench's parts
  8 apps/trace      bank-trace's parts (also drawn on by bank-sim --trace)
  8 apps/cli        bank-cli's parts
  8.5 apps/web      bank-web's HTTP side (it draws on apps/trace and apps/cli)
  9 apps            the programs

Prints each offending include and ends with a 'N passed, N failed' line."""
import os
import re
import sys

LAYERS = {
    "messages/json": 0, "messages": 1, "config": 2, "domain": 2, "security": 3, "runtime": 4,
    "actors/network": 5, "actors/mutex": 5, "actors/ledger": 5, "actors/bank": 5,
    "node": 6, "client": 7, "apps/live": 7.5, "apps/bench": 8, "apps/web": 8.5, "apps/trace": 8, "apps/cli": 8, "apps": 9,
}
# Files placed apart from their folder's layer.
FILE_LAYERS = {"messages/result.hpp": -1}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder(path):
    return os.path.dirname(path)


def layer(path):
    return FILE_LAYERS.get(path, LAYERS[folder(path)])


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    files = []
    for top in sorted({f.split("/")[0] for f in LAYERS}):
        for dirpath, _, names in os.walk(top):
            files += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith((".hpp", ".cpp"))]
    problems = []
    unit_edges = {}
    for f in files:
        here = folder(f)
        if here not in LAYERS:
            problems.append(f"{f}: folder '{here}' has no layer; add it to tests/layering.py")
            continue
        unit = os.path.splitext(f)[0]
        for target in INCLUDE.findall(open(f, encoding="utf-8").read()):
            there = folder(target)
            if there not in LAYERS:
                problems.append(f"{f}: includes {target}, outside every layer")
                continue
            if there != here and layer(target) >= layer(f):
                problems.append(f"{f} ({here}, layer {layer(f)}) includes {target} ({there}, layer {layer(target)})")
            target_unit = os.path.splitext(target)[0]
            if target_unit != unit:
                unit_edges.setdefault(unit, set()).add(target_unit)
    # Cycles among units (depth-first search, colours: 1 on the path, 2 done).
    colour = {}

    def visit(u, path):
        colour[u] = 1
        for v in sorted(unit_edges.get(u, ())):
            if colour.get(v) == 1:
                problems.append("include cycle: " + " -> ".join(path[path.index(v):] + [v]))
            elif v not in colour:
                visit(v, path + [v])
        colour[u] = 2

    for u in sorted(unit_edges):
        if u not in colour:
            visit(u, [u])
    for p in problems:
        print(p)
    print(f"{len(files)} files checked against {len(LAYERS)} layers")
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
