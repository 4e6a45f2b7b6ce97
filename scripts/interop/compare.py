"""Compare what three Kafka clients read from the signal topic.

Usage: compare.py SIGNALS_JSONL CANDLEWICK_SEQ KCAT_TSV PYTHON_TSV

SIGNALS_JSONL   `candlewick signals --brokers ...` (one signal per line)
CANDLEWICK_SEQ  `candlewick cat --brokers ... --seq signals.v1`
                ("partition:offset<TAB>json")
KCAT_TSV        kcat -f '%p\t%o\t%s\n'
PYTHON_TSV      consume.py output ("partition<TAB>offset<TAB>json")

Checks that all four hold exactly the same set of signal IDs, each once,
and that kcat, the Python consumer group and candlewick see the same
signals in the same order in every partition. Prints a summary; exit 1 on
any mismatch, with the first differences.
"""

import json
import sys
from collections import defaultdict


def ids_of_jsonl(path):
    with open(path) as f:
        return [json.loads(line)["id"] for line in f if line.strip()]


def partitions_of(path, sep_po):
    parts = defaultdict(list)
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            if sep_po:
                po, value = line.split("\t", 1)
                p, o = po.split(":")
            else:
                p, o, value = line.split("\t", 2)
            parts[int(p)].append((int(o), json.loads(value)["id"]))
    return parts


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    printed = ids_of_jsonl(sys.argv[1])
    readers = {
        "candlewick cat": partitions_of(sys.argv[2], True),
        "kcat": partitions_of(sys.argv[3], False),
        "python group": partitions_of(sys.argv[4], False),
    }
    ok = True

    def fail(msg):
        nonlocal ok
        ok = False
        print("MISMATCH: " + msg)

    if not printed:
        fail("candlewick signals printed no signal: nothing to compare")
    if len(set(printed)) != len(printed):
        fail(f"candlewick signals printed {len(printed) - len(set(printed))} duplicate IDs")
    want = set(printed)
    for name, parts in readers.items():
        ids = [i for recs in parts.values() for _, i in recs]
        if len(set(ids)) != len(ids):
            fail(f"{name}: {len(ids) - len(set(ids))} duplicate signal IDs")
        got = set(ids)
        if got != want:
            fail(f"{name}: {len(got - want)} IDs not printed by candlewick signals "
                 f"(e.g. {sorted(got - want)[:3]}), {len(want - got)} missing (e.g. {sorted(want - got)[:3]})")
        for p, recs in parts.items():
            offs = [o for o, _ in recs]
            if offs != sorted(offs):
                fail(f"{name}: partition {p} not in offset order")
    ref = readers["candlewick cat"]
    for name in ("kcat", "python group"):
        parts = readers[name]
        for p in sorted(set(ref) | set(parts)):
            a, b = ref.get(p, []), parts.get(p, [])
            if a != b:
                first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                fail(f"{name}: partition {p} differs from candlewick at position {first} "
                     f"({len(b)} records vs {len(a)})")
    counts = ", ".join(f"p{p}={len(r)}" for p, r in sorted(ref.items()))
    if ok:
        print(f"OK: {len(want)} signals; candlewick, kcat and the Python consumer group agree "
              f"on the IDs and on the order in every partition ({counts})")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
