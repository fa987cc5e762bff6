#!/usr/bin/env python3
"""Summarise a harness run.

  summarize.py results.jsonl            per command: changed / refused / unchanged /
                                        wrong / crash, and how many changed files
                                        could not be judged by evaluation
  summarize.py results.jsonl show       the same, then every wrong result and crash
  summarize.py results.jsonl all        ... and every other failure (style, idempotence)

"wrong": the edit parses but the flake means something else than before plus
what was asked (see harness.py and semantics.py). Package commands are also
counted per layout on flakes with per-system outputs.
"""
import collections, json, sys

PACKAGE_OPS = ("add-dune-package", "add-docker-image", "add-docker-image --name", "add-docker-image (applicable)",
               "add-dev-shell",
               "add-source --no-prefetch", "add-source --hash --no-dep")
CRASH = ("panic", "internal", "timeout", "noparse-json", "harness-error")
LAYOUTS = ("plain", "flake-utils", "flake-parts", "forAllSystems/genAttrs", "other")


def kind(r):
    if r["status"] in CRASH:
        return "crash"
    if r.get("wrong"):
        return "wrong"
    if r["status"] in ("ok", "failed"):
        return "changed"
    return r["status"]  # refused, unchanged


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    mode = sys.argv[2] if len(sys.argv) > 2 else ""
    base = {r["flake"]: r for r in rows if r["op"] == "baseline"}
    flakes = {r["flake"] for r in rows}
    evaluable = {f for f, r in base.items() if r["status"] == "evaluable"}
    layout = {r["flake"]: r.get("layout") for r in rows if r["op"] == "baseline"}
    # Per-system outputs: found by evaluation, or by the layout of the text.
    # A file whose `outputs` is not a function is not a flake (a module named
    # flake.nix); results from before `is_flake` was recorded count as flakes.
    per_system = {f for f, r in base.items() if r.get("is_flake", True)
                  and (r.get("system") or layout.get(f) not in (None, "other"))}
    print(f"{len(flakes)} flakes; {len(base)} judged; {len(evaluable)} evaluable with the stubs; "
          f"{len(per_system)} with per-system outputs (found by evaluation or by their layout)\n")
    cols = ("changed", "refused", "unchanged", "wrong", "crash", "not-eval")
    print(f"| {'command':28s} | " + " | ".join(f"{c:>9s}" for c in cols) + " |")
    print("|" + "-" * 30 + "|" + "|".join("-" * 11 for _ in cols) + "|")
    table = collections.defaultdict(collections.Counter)
    order = []
    for r in rows:
        if r["op"] in ("baseline", "check", "check --fix --dry-run", "nix-parse", "nix-eval"):
            continue
        if r["op"] not in table:
            order.append(r["op"])
        k = kind(r)
        table[r["op"]][k] += 1
        if k in ("changed", "wrong") and r.get("eval") == "not-evaluable":
            table[r["op"]]["not-eval"] += 1
    for op in order:
        print(f"| {op:28s} | " + " | ".join(f"{table[op][c]:9d}" for c in cols) + " |")
    print("\n(not-eval: changed or wrong files of flakes whose outputs do not evaluate with the stubs,\n"
          " judged by parse, inputs and outputs-pattern checks only)\n")
    # check: error-level findings on flakes that evaluate
    checks = [r for r in rows if r["op"] == "check"]
    errs = [r for r in checks if r.get("errors") and r["flake"] in evaluable]
    print(f"check: {len(checks)} flakes, {sum(1 for r in checks if r.get('errors'))} with error-level findings, "
          f"{len(errs)} of them on flakes that evaluate\n")
    # package commands per layout, on flakes with per-system outputs
    print("Package commands on flakes with per-system outputs, per layout (changed / refused / wrong / crash of n):\n")
    print(f"| {'command':28s} | " + " | ".join(f"{l:>22s}" for l in LAYOUTS) + " |")
    print("|" + "-" * 30 + "|" + "|".join("-" * 24 for _ in LAYOUTS) + "|")
    for op in PACKAGE_OPS:
        cells = []
        for l in LAYOUTS:
            rs = [r for r in rows if r["op"] == op and r.get("layout") == l and r["flake"] in per_system]
            cc = collections.Counter(kind(r) for r in rs)
            cells.append(f"{cc['changed']}/{cc['refused']}/{cc['wrong']}/{cc['crash']} of {len(rs)}")
        print(f"| {op:28s} | " + " | ".join(f"{c:>22s}" for c in cells) + " |")
    if mode in ("show", "all"):
        print()
        for r in rows:
            k = kind(r)
            if k in ("wrong", "crash") or (mode == "all" and r["status"] == "failed"):
                print("---", r["flake"], r["op"], r.get("args"), k, r["detail"][:900])
        for r in errs:
            print("--- check error on evaluable flake", r["flake"], r["errors"])


if __name__ == "__main__":
    main()
