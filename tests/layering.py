#!/usr/bin/env python3
"""The layout has no arrow back up: every #include "..." in the product points to the same
folder or to a lower layer, and no two files (a .hpp and its .cpp count as one) include each
other round a cycle. Layers, lowest first:

  0 messages        wire types and the JSON codecs
  1 config, domain  the cluster config; money, balances and transfer checks
  2 runtime         what hosts actors: ActorShell, ActorThread, LogSink
  3 actors/*        network, mutex, ledger, bank: each a core and a shell; no actor
                    includes another
  4 node            NodeCores and Node: the four actors composed
  5 client          the console client and the process cluster the tools share
  6 apps/bench      bank-bench's parts
  7 apps            the programs

Prints each offending include and ends with a 'N passed, N failed' line."""
import os
import re
import sys

LAYERS = {
    "messages": 0, "config": 1, "domain": 1, "runtime": 2,
    "actors/network": 3, "actors/mutex": 3, "actors/ledger": 3, "actors/bank": 3,
    "node": 4, "client": 5, "apps/bench": 6, "apps": 7,
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder(path):
    return os.path.dirname(path)


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
            if there != here and LAYERS[there] >= LAYERS[here]:
                problems.append(f"{f} ({here}, layer {LAYERS[here]}) includes {target} ({there}, layer {LAYERS[there]})")
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
