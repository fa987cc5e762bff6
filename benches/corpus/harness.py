#!/usr/bin/env python3
"""Real-world corpus harness for flakeedit.

Usage: harness.py [--nixpkgs-lib DIR] [--jobs N] FLAKEEDIT CORPUS_SRC OUT_JSONL [filter-substring]

CORPUS_SRC holds one directory per flake (flake.nix, optional flake.lock and
the files beside it). Every operation runs on a fresh temp copy; results are
judged with the real Nix parser/evaluator (nix-instantiate): the inputs and
the outputs pattern as before, and the per-system outputs evaluated with the
project's stubs before and after (semantics.py). --nixpkgs-lib points at a
full nixpkgs `lib` directory (more real flakes evaluate with it); the
default is the part vendored in tests/stubs/vendor.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, difflib, re
from multiprocessing import Pool

import semantics

HERE = os.path.dirname(os.path.abspath(__file__))
STUBS = os.path.join(HERE, "..", "..", "tests", "stubs")
_args = argparse.ArgumentParser()
_args.add_argument("--nixpkgs-lib", default=os.path.join(STUBS, "vendor", "nixpkgs-lib", "lib"))
_args.add_argument("--jobs", type=int, default=2)
_args.add_argument("--per-repo", type=int, default=None,
                   help="judge at most N flakes of each repository (its root flake first); CRLF copies count as one repository")
_args.add_argument("--max-inputs", type=int, default=None,
                   help="run the per-input commands on the first N inputs only (faster)")
_args.add_argument("--only", default=None,
                   help="comma-separated commands (record names, e.g. add-dev-shell,add-docker-image): "
                        "run only those, after the baseline evaluation")
_args.add_argument("flakeedit")
_args.add_argument("src")
_args.add_argument("out")
_args.add_argument("filter", nargs="?")
ARGS = _args.parse_args()
FE = os.path.abspath(ARGS.flakeedit)
SRC = ARGS.src
OUT = ARGS.out
FILTER = ARGS.filter
ONLY = [o.strip() for o in ARGS.only.split(",")] if ARGS.only else None
FAKE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
PACKAGE_OPS = ("add-dune-package", "add-docker-image", "add-docker-image --name", "add-docker-image (applicable)",
               "add-dev-shell",
               "add-source --no-prefetch", "add-source --hash --no-dep")
FAKE_REV = "0123456789abcdef0123456789abcdef01234567"
NEW_URL = "github:example/fe-new-input"
NEW_NAME = "fe-new-input"
REF_KEYS = {"type", "owner", "repo", "ref", "rev", "dir", "host", "path", "narHash",
            "submodules", "shallow", "lastModified", "revCount", "allRefs", "id", "url"}
MAX_REMOVE = 8


def run(cmd, cwd, timeout=60):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, "NO_COLOR": "1"})
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -999, "", "TIMEOUT"


def nix_parse(d):
    rc, out, err = run(["nix-instantiate", "--parse", "flake.nix"], d)
    return rc == 0, err.strip()[:300]


def nix_eval(d, expr):
    rc, out, err = run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr], d)
    if rc != 0:
        return None, err.strip()[:300]
    return json.loads(out), None


def oracle(d):
    both, _ = nix_eval(d, "let f = import ./flake.nix; o = f.outputs; in { inputs = f.inputs or {}; "
                          "fargs = if builtins.isFunction o then builtins.functionArgs o else null; }")
    if both is not None:
        inputs, e1, fargs, e2 = both["inputs"], None, both["fargs"], None
    else:
        inputs, e1 = nix_eval(d, "let f = import ./flake.nix; in f.inputs or {}")
        fargs, e2 = nix_eval(d, "let o = (import ./flake.nix).outputs; in if builtins.isFunction o then builtins.functionArgs o else null")
    ell = None
    if fargs:
        rc, out, err = run(["nix-instantiate", "--eval", "-E",
                            "let f = (import ./flake.nix).outputs; a = builtins.mapAttrs (n: v: null) (builtins.functionArgs f); in builtins.seq (f (a // { __fe_probe__ = null; })) true"], d)
        ell = "unexpected argument" not in err
    return {"inputs": inputs, "inputs_err": e1, "fargs": fargs, "fargs_err": e2, "ellipsis": ell}


def prune(v):
    """Normalise an input attrset: drop empty nested `inputs`."""
    if not isinstance(v, dict):
        return v
    r = {}
    for k, x in v.items():
        x = prune(x)
        if k == "inputs" and isinstance(x, dict):
            x = {kk: vv for kk, vv in x.items() if not (isinstance(vv, dict) and vv == {})}
            if not x:
                continue
        r[k] = x
    return r


def store_paths(v):
    """Path-valued urls (`url = ./..;`) print as store paths whose hash depends on
    the temporary directory: compare them as one value."""
    if isinstance(v, dict):
        return {k: store_paths(x) for k, x in v.items()}
    if isinstance(v, str) and v.startswith("/nix/store/"):
        return "/nix/store/<path>"
    return v


def norm_inputs(inp):
    return {k: store_paths(prune(v)) for k, v in (inp or {}).items()}


def nested_follows(v, path=()):
    res = []
    for c, cv in (v.get("inputs") or {}).items():
        if not isinstance(cv, dict):
            continue
        if "follows" in cv:
            res.append((list(path) + [c], cv["follows"]))
        res.extend(nested_follows(cv, tuple(list(path) + [c])))
    return res


def compare_listing(orc_inputs, fe_inputs):
    """Return list of disagreement strings."""
    errs = []
    fe = {i["name"]: i for i in fe_inputs}
    if set(fe) != set(orc_inputs):
        errs.append(f"names: nix={sorted(orc_inputs)} fe={sorted(fe)}")
    for n, v in orc_inputs.items():
        if n not in fe:
            continue
        f = fe[n]
        if not isinstance(v, dict):
            errs.append(f"{n}: non-attrset input {v!r}")
            continue
        if v.get("url") != f.get("url"):
            errs.append(f"{n}: url nix={v.get('url')!r} fe={f.get('url')!r}")
        if v.get("flake", True) != f.get("flake"):
            errs.append(f"{n}: flake nix={v.get('flake', True)} fe={f.get('flake')}")
        if v.get("follows") != f.get("follows"):
            errs.append(f"{n}: follows nix={v.get('follows')!r} fe={f.get('follows')!r}")
        nf = sorted((tuple(p), t) for p, t in nested_follows(v))
        ff = sorted((tuple(x["path"]), x["target"]) for x in f.get("nested_follows") or [])
        if nf != ff:
            errs.append(f"{n}: nested_follows nix={nf} fe={ff}")
        ref = {k: x for k, x in v.items() if k in REF_KEYS and k != "url"}
        if ref:
            fr = f.get("reference") or {}
            fr = {k: x for k, x in fr.items() if x is not None}
            if {k: str(x) for k, x in ref.items()} != {k: str(x) for k, x in fr.items()}:
                errs.append(f"{n}: reference nix={ref} fe={fr}")
        extra = set(v) - REF_KEYS - {"url", "flake", "follows", "inputs"}
        if extra:
            errs.append(f"{n}: unknown keys {sorted(extra)}")
    return errs


def line_ending_check(orig, new):
    crlf = "\r\n" in orig
    lf_only = re.search(r"(?<!\r)\n", orig) is not None
    probs = []
    if crlf and not lf_only and re.search(r"(?<!\r)\n", new):
        probs.append("bare LF written into CRLF file")
    if not crlf and "\r" in new:
        probs.append("CR written into LF file")
    if orig.endswith("\n") != new.endswith("\n"):
        probs.append("trailing newline changed")
    return probs


def diff_stats(orig, new):
    a = orig.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    removed = added = hunks = 0
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        hunks += 1
        removed += i2 - i1
        added += j2 - j1
    return {"hunks": hunks, "removed": removed, "added": added}


def indent_probs(orig, new):
    """Inserted lines indented with spaces in a tab-indented file (or vice versa)."""
    a = set(orig.splitlines())
    ins = [l for l in new.splitlines() if l not in a and l.strip()]
    tabs = sum(1 for l in orig.splitlines() if l.startswith("\t"))
    spaces = sum(1 for l in orig.splitlines() if l.startswith(" "))
    probs = []
    if tabs > 3 * spaces and any(l.startswith(" ") for l in ins):
        probs.append("space-indented insertion in tab file")
    if spaces > 3 * tabs and any(l.startswith("\t") for l in ins):
        probs.append("tab-indented insertion in space file")
    return probs


class Ctx:
    def __init__(self, name):
        self.name = name
        self.src = os.path.join(SRC, name)
        self.orig = open(os.path.join(self.src, "flake.nix"), newline="").read()
        self.has_lock = os.path.exists(os.path.join(self.src, "flake.lock"))
        self.tmp = tempfile.mkdtemp(prefix="fe-h-")
        self.results = []
        self.layout = layout_of(self.orig)
        self.ev = semantics.Evaluator(STUBS, ARGS.nixpkgs_lib, self.tmp)
        self.base_eval = None

    def fresh(self):
        d = os.path.join(self.tmp, "w")
        if os.path.exists(d):
            shutil.rmtree(d)
        shutil.copytree(self.src, d, symlinks=True)
        return d

    def fe(self, d, args):
        rc, out, err = run([FE, "--json"] + args, d)
        j = None
        try:
            j = json.loads(out.strip().splitlines()[0]) if out.strip() else None
        except Exception:
            pass
        return rc, j, out, err

    def record(self, op, status, detail="", **kw):
        self.results.append({"flake": self.name, "op": op, "status": status, "detail": detail,
                             "layout": self.layout, **kw})


def code_of(text):
    """The text with comments, indented strings and prose strings blanked, so the
    layout is read from the code (a description that mentions
    `flake-utils.lib.simpleFlake` is not a use of it)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == '"':
            start = i
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            # Prose (a description, a message) has spaces; a URL or an
            # attribute name such as "x86_64-linux" is kept.
            s = text[start:i]
            out.append('""' if any(ch.isspace() for ch in s) else s)
        elif text.startswith("''", i):
            i += 2
            while i < n:
                if text.startswith("'''", i) or text.startswith("''$", i) or text.startswith("''\\", i):
                    i += 3
                elif text.startswith("''", i):
                    i += 2
                    break
                else:
                    i += 1
            out.append("''''")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def layout_of(text):
    """The per-system layout, from the code: the package commands' strata."""
    text = code_of(text)
    if "mkFlake" in text:
        return "flake-parts"
    if "flake-utils" in text and re.search(r"eachDefaultSystem|eachSystem|flake-utils\.lib\.", text):
        return "flake-utils"
    if re.search(r"for(All|Each)\w*Systems?\b|genAttrs|eachSystem|perSystem\b", text):
        return "forAllSystems/genAttrs"
    if re.search(r"(packages|devShells?|defaultPackage|apps|checks|formatter)\.(\"?[a-z0-9_]+-(linux|darwin)|\$\{)", text):
        return "plain"
    return "other"


def classify_run(rc, j, out, err):
    text = out + err
    if rc == 101 or "panicked" in text:
        return "panic", text[-800:]
    if "internal error" in text.lower():
        return "internal", text[-800:]
    if rc == -999:
        return "timeout", ""
    if j is None:
        return "noparse-json", text[-500:]
    outc = j.get("outcome")
    if outc in ("not-applicable", "failed"):
        e = j.get("error") or {}
        return "refused", (e.get("kind", "") + ": " + e.get("message", "")).strip()
    return outc, ""


def edit_op(c, base, op, args, expect_fn, fargs_fn=None, idempotent=True, second_expect="unchanged",
            expect_new=(), allow_changed=(), judge_outputs=True, pre=None, kind=None, wraps=None):
    """Run one edit, judge it. expect_fn(before_inputs) -> expected after inputs (normalised)
    or None to skip the eval comparison. expect_new/allow_changed: output paths
    after `<output>.<system>.` (see semantics.judge)."""
    if ONLY and not any(op == o or op.startswith(o + " ") for o in ONLY):
        return None
    extra = {"kind": kind} if kind else {}
    d = c.fresh()
    start = c.orig
    if pre:
        # A command run first (its own row judges it); this row judges `args` on its result.
        rc, j, out, err = c.fe(d, pre)
        st, msg = classify_run(rc, j, out, err)
        if st != "changed":
            c.record(op, "refused" if st in ("refused", "unchanged") else st,
                     f"{' '.join(pre)}: {msg}", args=pre + ["&&"] + args, **extra)
            return None
        start = open(os.path.join(d, "flake.nix"), newline="").read()
    rc, j, out, err = c.fe(d, args)
    st, msg = classify_run(rc, j, out, err)
    new = open(os.path.join(d, "flake.nix"), newline="").read()
    if st in ("panic", "internal", "timeout", "noparse-json"):
        c.record(op, st, msg, args=args, **extra)
        return None
    if st in ("refused", "unchanged"):
        if new != start:
            c.record(op, "failed", f"{st} but file modified", args=args, wrong=True, **extra)
        else:
            c.record(op, st, msg, args=args, **extra)
        return None
    # changed
    probs = []
    ok, perr = nix_parse(d)
    if not ok:
        c.record(op, "failed", "nix --parse rejects output: " + perr, args=args, wrong=True,
                 diff="".join(difflib.unified_diff(c.orig.splitlines(True), new.splitlines(True)))[:3000])
        return None
    probs += line_ending_check(c.orig, new)
    ugly = indent_probs(c.orig, new)
    after = oracle(d)
    if expect_fn is not None:
        if after["inputs_err"]:
            probs.append("eval inputs failed after edit: " + after["inputs_err"])
        else:
            exp = expect_fn(norm_inputs(base["inputs"]))
            got = norm_inputs(after["inputs"])
            # An expectation may name several acceptable results.
            if exp is not None and got not in (exp if isinstance(exp, list) else [exp]):
                probs.append("inputs changed wrongly: expected " + json.dumps(exp, sort_keys=True)[:1500] + " got " + json.dumps(got, sort_keys=True)[:1500])
    if fargs_fn is not None and base["fargs"] is not None:
        expf = fargs_fn(base["fargs"], base["ellipsis"])
        kept = [w for w in ((j or {}).get("warnings") or []) if "kept" in str(w)]
        if expf is not None and set(expf) != set(after["fargs"] or {}) and not (kept and set(after["fargs"] or {}) - set(expf) and all(str(x) in str(kept) for x in set(after["fargs"] or {}) - set(expf))):
            probs.append(f"outputs args: expected {sorted(expf)} got {sorted(after['fargs'] or {})}")
    # consistency: declared inputs vs ellipsis-less pattern
    if after["fargs"] and after["ellipsis"] is False and after["inputs"] is not None:
        missing = set(after["inputs"]) - set(after["fargs"])
        if missing and not (set(base["inputs"] or {}) - set(base["fargs"] or {})) >= missing:
            probs.append(f"ellipsis-less pattern lacks inputs {sorted(missing)}")
    # meaning: the outputs evaluated with the stubs, before and after
    be = c.base_eval
    evaluation = "not-evaluable" if judge_outputs else "not-judged"
    wrong = [p for p in probs if not p.startswith(("bare LF", "CR written", "trailing newline"))]
    if be and be["values"] and judge_outputs:
        sysname = be["system"]
        full = lambda p: f"{p.split('.', 1)[0]}.{sysname}.{p.split('.', 1)[1]}" if "." in p else f"{p}.{sysname}"
        eprobs, notes = semantics.judge(be, c.ev.after(d, be), [full(p) for p in expect_new],
                                        [full(p) for p in allow_changed],
                                        wraps=full(wraps) if wraps else None)
        evaluation = "wrong" if eprobs else "same"
        wrong += eprobs
        probs += eprobs
    elif expect_new and judge_outputs and be and be["system"] is None and c.layout == "other":
        evaluation = "not-evaluable"
    stats = diff_stats(c.orig, new)
    # second run
    if idempotent:
        rc2, j2, out2, err2 = c.fe(d, args)
        st2, msg2 = classify_run(rc2, j2, out2, err2)
        new2 = open(os.path.join(d, "flake.nix"), newline="").read()
        if st2 != second_expect and not (second_expect == "refused" and st2 == "refused"):
            probs.append(f"second run: {st2} {msg2}")
        if new2 != new and second_expect in ("unchanged", "refused"):
            probs.append("second run modified the file")
    diff = "".join(difflib.unified_diff(c.orig.splitlines(True), new.splitlines(True), n=1))
    c.record(op, "failed" if probs else "ok", "; ".join(probs), args=args, stats=stats,
             ugly=ugly, warnings=(j or {}).get("warnings"), diff=diff[:4000],
             eval=evaluation, wrong=bool(wrong), **extra)
    return d


def process(name):
    c = Ctx(name)
    try:
        return _process(c)
    except Exception as e:
        import traceback
        c.record("harness", "harness-error", traceback.format_exc()[-1500:])
        return c.results
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)


def _process(c):
    d = c.fresh()
    ok, perr = nix_parse(d)
    if not ok:
        c.record("nix-parse", "nix-rejects", perr)
        # still make sure flakeedit does not panic on it
        rc, j, out, err = c.fe(d, ["list-inputs"])
        st, msg = classify_run(rc, j, out, err)
        c.record("list-inputs(nix-rejected)", st, msg)
        return c.results
    base = oracle(d)
    if base["inputs_err"]:
        c.record("nix-eval", "nix-eval-fails", base["inputs_err"])
        return c.results
    inputs = norm_inputs(base["inputs"])
    names = sorted(inputs)
    if ARGS.max_inputs is not None:
        # nixpkgs first: it is the input most edits are about.
        names = sorted(names, key=lambda n: (n != "nixpkgs", n))[:ARGS.max_inputs]
    c.base_eval = c.ev.baseline(c.fresh())
    c.record("baseline", "evaluable" if c.base_eval["values"] else "not-evaluable",
             c.base_eval["error"] or "", system=c.base_eval["system"],
             evaluated=sorted(c.base_eval["values"]),
             failing=[p for p, _ in c.base_eval["failing"]], extras=c.ev.extras[:50],
             is_flake=base["fargs"] is not None)
    if ONLY:
        package_ops(c, base)
        return c.results
    # 1. listing
    rc, j, out, err = c.fe(d, ["list-inputs"])
    st, msg = classify_run(rc, j, out, err)
    if st in ("panic", "internal", "timeout", "noparse-json", "refused"):
        c.record("list-inputs", st if st != "refused" else "failed", msg)
        fe_inputs = None
    else:
        fe_inputs = j.get("inputs") or []
        errs = compare_listing(base["inputs"] or {}, fe_inputs)
        c.record("list-inputs", "failed" if errs else "ok", "; ".join(errs))

    has_np = "nixpkgs" in inputs
    fa = base["fargs"]

    # 2. add-input
    def exp_add(b):
        e = dict(b)
        v = {"url": NEW_URL}
        if has_np:
            v["inputs"] = {"nixpkgs": {"follows": "nixpkgs"}}
        e[NEW_NAME] = v
        return e

    def fargs_add(f, ell):
        if not f or ell:
            return f
        return {**f, NEW_NAME: False}
    args = ["add-input", NEW_URL, "--name", NEW_NAME] + (["--follows", "nixpkgs"] if has_np else [])
    edit_op(c, base, "add-input", args, exp_add, fargs_add)

    # 3. remove-input
    for n in names[:MAX_REMOVE]:
        def exp_rm(b, n=n):
            e = {}
            for k, v in b.items():
                if k == n:
                    continue
                v = strip_follows(v, n)
                f = v.get("follows") if isinstance(v, dict) else None
                if isinstance(f, str) and (f == n or f.startswith(n + "/")):
                    v = {kk: x for kk, x in v.items() if kk != "follows"}
                    if not v:
                        continue
                e[k] = v
            return norm_inputs(e)

        def fargs_rm(f, ell, n=n):
            return {k: v for k, v in f.items() if k != n} if f else f
        edit_op(c, base, "remove-input", ["remove-input", n], exp_rm, fargs_rm, second_expect="refused")
        edit_op(c, base, "remove-input --force", ["remove-input", "--force", n], exp_rm, fargs_rm, second_expect="refused",
                judge_outputs=False)

    # 4. follow X nixpkgs
    if has_np:
        for n in names:
            if n == "nixpkgs":
                continue
            def exp_follow(b, n=n):
                e = json.loads(json.dumps(b))
                e[n].setdefault("inputs", {}).setdefault("nixpkgs", {})
                e[n]["inputs"]["nixpkgs"] = {**{k: v for k, v in e[n]["inputs"]["nixpkgs"].items() if k == "inputs"}, "follows": "nixpkgs"}
                return norm_inputs(e)
            edit_op(c, base, "follow", ["follow", n, "nixpkgs"], exp_follow, lambda f, ell: f)

    # 5. toggle-flake (each input), twice
    for n in names:
        def exp_toggle(b, n=n):
            e = json.loads(json.dumps(b))
            if e[n].get("flake", True) is False:
                e[n].pop("flake")
                if not e[n]:
                    e[n] = {"flake": True}  # its only binding: kept as `flake = true`
            else:
                e[n]["flake"] = False
                # Nix ignores the inputs of a non-flake input: flakeedit removes them.
                e[n].pop("inputs", None)
            return e
        d2 = edit_op(c, base, "toggle-flake", ["toggle-flake", n], exp_toggle, lambda f, ell: f, idempotent=False)
        if d2:
            rc, j, out, err = c.fe(d2, ["toggle-flake", n])
            st, msg = classify_run(rc, j, out, err)
            back = oracle(d2)
            def plain(inp):
                # toggling to flake = false dropped the nested follows of `n`
                return {k: {kk: vv for kk, vv in v.items() if not (kk == "flake" and vv is True)
                            and not (k == n and kk == "inputs")}
                        for k, v in norm_inputs(inp).items()}
            if st != "changed" or plain(back["inputs"]) != plain(base["inputs"]):
                c.record("toggle-flake twice", "failed", f"{st} {msg} back={json.dumps(back['inputs'])[:800]}")
            else:
                c.record("toggle-flake twice", "ok")

    # 6. set-url
    for n in names:
        def exp_seturl(b, n=n):
            e = json.loads(json.dumps(b))
            v = {k: x for k, x in e[n].items() if k not in REF_KEYS}
            v["url"] = "github:example/replaced"
            e[n] = v
            return e
        edit_op(c, base, "set-url", ["set-url", n, "github:example/replaced"], exp_seturl, lambda f, ell: f)

    # 7. pin with a fake rev, then unpin
    for n in names:
        def exp_pin(b, n=n):
            return None  # checked below
        d2 = edit_op(c, base, "pin", ["pin", n, FAKE_REV], exp_pin, lambda f, ell: f)
        if d2:
            after = norm_inputs(oracle(d2)["inputs"])
            v = after.get(n, {})
            u = v.get("url", "") or ""
            others_same = {k: x for k, x in after.items() if k != n} == {k: x for k, x in inputs.items() if k != n}
            if (FAKE_REV not in u and v.get("rev") != FAKE_REV) or not others_same:
                c.results[-1].update(status="failed", wrong=True)
                c.results[-1]["detail"] += f" pin not reflected: {v}"
            rc, j, out, err = c.fe(d2, ["unpin", n])
            st, msg = classify_run(rc, j, out, err)
            if st != "changed":
                c.record("unpin", "failed" if st in ("panic", "internal") else st, msg)
            else:
                ok, perr = nix_parse(d2)
                after2 = norm_inputs(oracle(d2)["inputs"]) if ok else {}
                u2 = (after2.get(n) or {}).get("url", "") or ""
                if not ok or FAKE_REV in u2 or (after2.get(n) or {}).get("rev") == FAKE_REV:
                    c.record("unpin", "failed", f"parse={ok} {perr} after={after2.get(n)}")
                else:
                    c.record("unpin", "ok")

    # 8. follow --all nixpkgs (needs lock)
    if c.has_lock and has_np:
        def exp_all(b):
            return None
        d2 = edit_op(c, base, "follow --all", ["follow", "--all", "nixpkgs"], exp_all, lambda f, ell: f)
        if d2:
            after = norm_inputs(oracle(d2)["inputs"])
            # only additions of nested follows = "nixpkgs", at any depth
            def strip_added(a, b0):
                if not isinstance(a, dict):
                    return a
                r = {}
                for k, x in a.items():
                    bx = b0.get(k) if isinstance(b0, dict) else None
                    if k == "follows" and x == "nixpkgs" and bx is None:
                        continue
                    r[k] = strip_added(x, bx) if isinstance(x, dict) else x
                return r
            bad = [k for k in set(after) | set(inputs)
                   if after.get(k) != inputs.get(k)
                   and (after.get(k) is None or inputs.get(k) is None
                        or prune(norm_inputs({"x": strip_added(after[k], inputs[k])})["x"]) != inputs[k])]
            if bad:
                c.results[-1].update(status="failed", wrong=True)
                c.results[-1]["detail"] += f" unexpected changes to {bad}"

    # 9. check / check --fix
    d = c.fresh()
    rc, out, err = run([FE, "check", "--format", "json"], d)
    if rc == 101 or "panicked" in out + err or "internal error" in (out + err).lower():
        c.record("check", "panic" if rc == 101 else "internal", (out + err)[-800:])
    elif rc not in (0, 1):
        c.record("check", "failed", f"rc={rc} {(out+err)[-400:]}")
    else:
        try:
            cj = json.loads(out)
            codes = [x["code"] for f in cj["files"] for x in f["diagnostics"]]
            errors = [f"{x['code']}: {x.get('message', '')}" for f in cj["files"] for x in f["diagnostics"]
                      if x.get("severity") == "error"]
            c.record("check", "ok", "; ".join(errors), codes=codes, errors=errors,
                     evaluable=bool(c.base_eval and c.base_eval["values"]))
        except Exception as e:
            c.record("check", "failed", f"bad json {e} {out[:300]}")
    d = c.fresh()
    rc, out, err = run([FE, "check", "--fix", "--dry-run"], d)
    if rc == 101 or "panicked" in out + err or "internal error" in (out + err).lower():
        c.record("check --fix --dry-run", "panic" if rc == 101 else "internal", (out + err)[-800:])
    elif open(os.path.join(d, "flake.nix"), newline="").read() != c.orig:
        c.record("check --fix --dry-run", "failed", "dry-run wrote")
    else:
        c.record("check --fix --dry-run", "ok")
    # check --fix for real, judged
    rc, out, err = run([FE, "check", "--fix"], d)
    new = open(os.path.join(d, "flake.nix"), newline="").read()
    if rc == 101 or "panicked" in out + err or "internal error" in (out + err).lower():
        c.record("check --fix", "panic" if rc == 101 else "internal", (out + err)[-800:])
    elif new != c.orig:
        ok, perr = nix_parse(d)
        probs = [] if ok else ["nix --parse rejects: " + perr]
        probs += line_ending_check(c.orig, new)
        after = oracle(d) if ok else None
        if after and after["inputs_err"]:
            probs.append("eval fails after fix: " + after["inputs_err"])
        if after and after["fargs"] and after["ellipsis"] is False and after["inputs"] is not None:
            missing = set(after["inputs"]) - set(after["fargs"])
            if missing:
                probs.append(f"pattern lacks {sorted(missing)}")
        evaluation = "not-evaluable"
        if ok and c.base_eval and c.base_eval["values"]:
            eprobs, _ = semantics.judge(c.base_eval, c.ev.after(d, c.base_eval))
            evaluation = "wrong" if eprobs else "same"
            probs += eprobs
        c.record("check --fix", "failed" if probs else "ok", "; ".join(probs), eval=evaluation,
                 wrong=bool([p for p in probs if not p.startswith(("bare LF", "CR written", "trailing newline"))]),
                 diff="".join(difflib.unified_diff(c.orig.splitlines(True), new.splitlines(True), n=1))[:3000])
    else:
        c.record("check --fix", "unchanged")

    package_ops(c, base)
    return c.results


def nixpkgs_donor(c, declared):
    """The one declared input a flake without `nixpkgs` may follow for it,
    found independently of flakeedit: with a flake.lock, the one input whose
    locked node has a `nixpkgs` input; without, the one input whose
    `X.inputs.nixpkgs` the file reads. None when there is not exactly one."""
    if c.has_lock:
        try:
            lock = json.load(open(os.path.join(c.src, "flake.lock")))
            nodes = lock["nodes"]
            root = nodes[lock["root"]].get("inputs", {})
            found = [n for n in declared if isinstance(root.get(n), str)
                     and "nixpkgs" in nodes.get(root[n], {}).get("inputs", {})]
        except (OSError, ValueError, KeyError, TypeError):
            return None
    else:
        read = set(re.findall(r"([A-Za-z_][A-Za-z0-9_'-]*)\.inputs\.nixpkgs\b", c.orig))
        found = [n for n in declared if n in read]
    return found[0] if len(found) == 1 else None


def package_ops(c, base):
    """The package commands: inputs and outputs args unchanged, except that a
    flake without `nixpkgs` may get `nixpkgs.follows = "X/nixpkgs"` for the
    one input X that brings one (see nixpkgs_donor)."""
    def same(b):
        if "nixpkgs" in b:
            return b
        donor = nixpkgs_donor(c, list(b))
        if donor is None:
            return b
        return [b, {**b, "nixpkgs": {"follows": donor + "/nixpkgs"}}]
    same_f = lambda f, ell: f
        # these may add `self` to an ellipsis-less pattern (they refer to self.packages)
    with_self = lambda f, ell: ({**f, "self": False} if f and not ell and "self" not in f else f)
    lax_self = lambda f, ell: None
    edit_op(c, base, "add-dune-package", ["add-dune-package", "fe-pkg", "--version", "0.1.0"], same, lax_self,
            expect_new=["packages.fe-pkg"])
    edit_op(c, base, "add-docker-image", ["add-docker-image"], same, lax_self,
            expect_new=["packages.dockerImage"], wraps="packages.default")
    edit_op(c, base, "add-docker-image --name", ["add-docker-image", "--name", "fe-image", "--tag", "latest"], same, lax_self,
            expect_new=["packages.dockerImage"], wraps="packages.default")
    # add-docker-image where it applies: on the `default` package, else on
    # another package of the flake, else (no package at all) on a dune
    # package added first without --version, as the seed article does.
    sysname = (c.base_eval or {}).get("system")
    prefix = f"packages.{sysname}."
    packages = sorted(p[len(prefix):] for p in (c.base_eval or {}).get("paths", {})
                      if sysname and p.startswith(prefix) and "." not in p[len(prefix):])
    if "default" in packages:
        edit_op(c, base, "add-docker-image (applicable)", ["add-docker-image"], same, lax_self,
                expect_new=["packages.dockerImage"], kind="default", wraps="packages.default")
    elif packages:
        edit_op(c, base, "add-docker-image (applicable)", ["add-docker-image", "--package", packages[0]],
                same, lax_self, expect_new=["packages.dockerImage"], kind="other package",
                wraps=f"packages.{packages[0]}")
    else:
        edit_op(c, base, "add-docker-image (applicable)", ["add-docker-image", "--package", "fe-app"],
                same, lax_self, expect_new=["packages.fe-app", "packages.dockerImage"],
                pre=["add-dune-package", "fe-app"], kind="after add-dune-package")
    # `nix develop` uses the legacy `devShell.<system>` when there is no
    # `devShells.<system>.default`: there the default shell is the legacy one,
    # and extending it is the expected edit (a new `devShells.default` would
    # silently replace it).
    values = (c.base_eval or {}).get("values") or {}
    sysname = (c.base_eval or {}).get("system")
    legacy_shell = f"devShell.{sysname}" in values and f"devShells.{sysname}.default" not in values
    shell = "devShell" if legacy_shell else "devShells.default"
    edit_op(c, base, "add-dev-shell", ["add-dev-shell", "--package", "hello"], same, lax_self,
            expect_new=[shell], allow_changed=[shell])
    src = "example/fe-lib@" + FAKE_REV
    edit_op(c, base, "add-source --no-prefetch", ["add-source", src, "--no-prefetch"], same, lax_self,
            expect_new=["packages.fe-lib"], allow_changed=["packages.default"])
    edit_op(c, base, "add-source --hash --no-dep", ["add-source", src, "--hash", FAKE_HASH, "--no-dep"], same, lax_self,
            expect_new=["packages.fe-lib"])


def strip_follows(v, n):
    if not isinstance(v, dict):
        return v
    r = {}
    for k, x in v.items():
        if k == "inputs" and isinstance(x, dict):
            nx = {}
            for ck, cv in x.items():
                if isinstance(cv, dict):
                    cv = dict(cv)
                    f = cv.get("follows")
                    if isinstance(f, str) and (f == n or f.startswith(n + "/")):
                        cv.pop("follows")
                    cv = strip_follows(cv, n)
                nx[ck] = cv
            r[k] = nx
        else:
            r[k] = x
    return r


if __name__ == "__main__":
    import hashlib
    names = sorted(os.listdir(SRC))
    if FILTER:
        names = [n for n in names if FILTER in n]
    # A stable shuffle, so that a partial run is a sample of every repository.
    names.sort(key=lambda n: hashlib.sha256(n.encode()).hexdigest())
    if ARGS.per_repo is not None:
        taken, sample = {}, []
        for n in sorted(names, key=lambda n: not n.endswith("__.")):
            repo = "crlf" if n.startswith("crlf__") else n.split("__")[0]
            if taken.get(repo, 0) < ARGS.per_repo:
                taken[repo] = taken.get(repo, 0) + 1
                sample.append(n)
        names = [n for n in names if n in set(sample)]
    with Pool(ARGS.jobs) as p, open(OUT, "w") as out:
        for i, res in enumerate(p.imap_unordered(process, names)):
            for r in res:
                out.write(json.dumps(r) + "\n")
            out.flush()
            if i % 25 == 0:
                print(f"{i}/{len(names)}", file=sys.stderr, flush=True)
