"""Judge an edit by what the flake evaluates to, before and after.

The flake's per-system outputs (packages, devShells, apps, checks, formatter
and the legacy defaultPackage/devShell/defaultApp) are evaluated for one
system against the project's stubs (see evaluate.nix). Real flakes use
nixpkgs attributes the stubs lack: those are learned from the evaluation
errors ("attribute 'x' missing", "undefined variable 'x'") and added to a
lenient nixpkgs, per flake, before the baseline is taken. An attribute that
still fails is left out of the baseline; a flake with no attribute left is
"not evaluable" and the harness falls back to its parse and inputs checks.
"""
import json, os, re, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LEARN = 30
MAX_ATTRS_ONE_BY_ONE = 60

MISSING = re.compile(r"attribute '([^']+)' missing")
UNDEFINED = re.compile(r"undefined variable '([^']+)'")
# callPackage of the flake's own files asks for nixpkgs attributes by name.
REQUIRED = re.compile(r"called without required argument '([^']+)'")
POSITION = re.compile(r"at (/[^\s:]+):(\d+):(\d+):")
CHAIN = re.compile(r"[A-Za-z_][\w'-]*(?:\.(?:\$\{[^}]*\}|\"[^\"]*\"|[A-Za-z_][\w'-]*))*")


def nix_string(s):
    return json.dumps(s)


class Evaluator:
    """One flake's evaluation context: its learned extras and its baseline."""

    def __init__(self, stubs, lib, workdir, timeout=60):
        self.stubs = os.path.abspath(stubs)
        self.lib = os.path.abspath(lib)
        self.np = os.path.join(workdir, "lenient-nixpkgs")
        os.makedirs(self.np, exist_ok=True)
        self.timeout = timeout
        self.extras = []
        with open(os.path.join(self.np, "default.nix"), "w") as f:
            f.write(f"import {nix_string(os.path.join(HERE, 'lenient-nixpkgs.nix'))} {{\n"
                    f"  stubs = /. + {nix_string(self.stubs)};\n"
                    f"  lib = import {nix_string(os.path.join(HERE, 'corpus-lib.nix'))} (/. + {nix_string(self.lib)});\n"
                    f"  extras = builtins.fromJSON (builtins.readFile ./extras.json);\n}}\n")
        self._write_extras()

    def _write_extras(self):
        with open(os.path.join(self.np, "extras.json"), "w") as f:
            json.dump(self.extras, f)

    def _run(self, d, mode, attrs=None, only=None):
        cmd = ["nix-instantiate", "--eval", "--strict", "--json",
               os.path.join(HERE, "evaluate.nix"),
               "--arg", "stubs", self.stubs,
               "--arg", "flake", os.path.join(d, "flake.nix"),
               "--argstr", "nixpkgsDir", self.np,
               "--arg", "lib", self.lib,
               "--argstr", "mode", mode]
        if attrs is not None:
            cmd += ["--arg", "attrs", "[" + " ".join(
                "[" + " ".join(nix_string(a) for a in p) + "]" for p in attrs) + "]"]
        if only is not None:
            cmd += ["--argstr", "only", only]
        try:
            p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=self.timeout,
                               env={**os.environ, "NIX_REMOTE": ""})
        except subprocess.TimeoutExpired:
            return None, "timeout"
        if p.returncode != 0:
            err = "\n".join(l for l in p.stderr.splitlines() if "build-users-group" not in l)
            return None, err.strip()
        try:
            return json.loads(p.stdout), None
        except ValueError as e:
            return None, f"bad JSON: {e}"

    def _learn(self, err):
        """An attribute path to add to the lenient nixpkgs, from an error."""
        required = REQUIRED.search(err)
        if required and "pkgs.nix" in err:
            return [required.group(1)]
        m = MISSING.search(err) or UNDEFINED.search(err)
        if not m:
            return None
        name = m.group(1)
        if UNDEFINED.search(err) and not MISSING.search(err):
            return [name]
        pos = POSITION.search(err[m.end():])
        path = [name]
        if pos:
            try:
                line = open(pos.group(1), newline="").read().splitlines()[int(pos.group(2)) - 1]
                col = int(pos.group(3)) - 1
                cm = CHAIN.match(line, col)
                if cm:
                    parts = re.findall(r"\$\{[^}]*\}|\"[^\"]*\"|[A-Za-z_][\w'-]*", cm.group(0))
                    parts = [p.strip('"') for p in parts]
                    if name in parts[1:]:
                        path = self._normalise(parts[:len(parts) - parts[::-1].index(name)])
            except (OSError, IndexError, ValueError):
                pass
        if not path or path[0] in ("lib", "self", "inputs", "builtins") or any(p.startswith("${") for p in path):
            return None
        return path

    @staticmethod
    def _normalise(chain):
        """The path inside the lenient package set that `chain` (a select
        expression ending at the missing name) reaches; None for the flake's
        own outputs (`self`, `self'`, `config`), whose misses are real."""
        root = chain[0]
        if root in ("self", "self'", "config", "lib", "builtins"):
            return None
        start = max([i + 1 for i, p in enumerate(chain) if p.startswith("${")] + [1])
        if start == 1 and root in ("inputs", "inputs'") and len(chain) > 2:
            start = 2
        path = chain[start:]
        while path[:-1] and path[0] in ("packages", "legacyPackages", "lib") :
            path = path[1:]
            if path[:-1] and path[0] in ("x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"):
                path = path[1:]
        return path

    def _eval_learning(self, d, mode, attrs=None, only=None, budget=MAX_LEARN):
        """Evaluate, learning extras from errors; (value, error, learned)."""
        learned = []
        while True:
            v, err = self._run(d, mode, attrs, only)
            if err is None:
                return v, None, learned
            path = self._learn(err)
            if path is None or path in self.extras or len(learned) >= budget:
                return None, err, learned
            self.extras.append(path)
            learned.append(path)
            self._write_extras()

    def names(self, d, budget=MAX_LEARN):
        """(names, error): the whole outputs at once, else output by output
        (one output may fail alone: `checks` importing a missing file)."""
        names, err, _ = self._eval_learning(d, "names", budget=budget)
        if err is None:
            return names, None
        attrs, outputs, system = [], None, None
        for only in ("packages", "devShells", "apps", "checks", "formatter",
                     "defaultPackage", "devShell", "defaultApp"):
            n, e, _ = self._eval_learning(d, "names", only=only, budget=5)
            if e is None:
                outputs = n["outputs"]
                if system and n["system"] and n["system"] != system:
                    continue
                attrs += n["attrs"]
                system = system or n["system"]
        if not attrs:
            return None, err
        return {"attrs": [a for a in attrs if a[1] == system], "outputs": outputs, "system": system}, None

    def baseline(self, d):
        """{system, outputs, values, failing, error} of the original flake."""
        names, err = self.names(d)
        if names is None:
            return {"system": None, "outputs": None, "values": {}, "paths": {}, "failing": [],
                    "error": err[-600:]}
        attrs = names["attrs"]
        values, failing = self.values(d, attrs)
        return {"system": names["system"], "outputs": names["outputs"], "values": values,
                "paths": {".".join(a): a for a in attrs}, "failing": failing, "error": None if values else "no attribute evaluates"}

    def values(self, d, attrs, learn=True):
        """(values of the attrs that evaluate, [(path, error) of the others])."""
        if not attrs:
            return {}, []
        v, err, _ = self._eval_learning(d, "values", attrs, budget=MAX_LEARN if learn else 0)
        if err is None:
            return v, []
        if len(attrs) == 1:
            return {}, [(".".join(attrs[0]), err[-600:])]
        values, failing = {}, []
        for a in attrs[:MAX_ATTRS_ONE_BY_ONE]:
            v1, e1, _ = self._eval_learning(d, "values", [a], budget=5 if learn else 0)
            if e1 is None:
                values.update(v1)
            else:
                failing.append((".".join(a), e1[-600:]))
        for a in attrs[MAX_ATTRS_ONE_BY_ONE:]:
            failing.append((".".join(a), "not tried: too many attributes"))
        return values, failing

    def after(self, d, base):
        """Names and values after an edit: ({path: value}, {path: error}, names, error)."""
        old = [base["paths"][p] for p in base["values"]]
        both, err = self._run(d, "both", old)
        if err is None:
            attrs = [a for a in both["attrs"] if a[1] == base["system"]]
            new = [a for a in attrs if ".".join(a) not in both["values"]]
            values, failing = self.values(d, new)
            return {**both["values"], **values}, dict(failing), both, None
        names, err = self.names(d, budget=5)
        if names is None:
            return None, None, None, err[-600:]
        attrs = [a for a in names["attrs"] if a[1] == base["system"]]
        values, failing = self.values(d, attrs)
        return values, dict(failing), names, None


def judge(base, after, expect_new=(), allow_changed=(), new_optional=False, wraps=None):
    """Problems of an edit, judged against the baseline.

    expect_new: paths (after `<output>.<system>.`) that must appear and evaluate;
    allow_changed: paths that may change; wraps: the path of the package a new
    output is built from (a Docker image's package). Returns (problems, notes)."""
    values, failing, names, err = after
    problems, notes = [], []
    sysname = base["system"]
    if err is not None:
        return [f"outputs no longer evaluate: {err[-400:]}"], notes
    # `"${./.}"` is a store path whose hash follows the edited directory.
    masked = lambda v: re.sub(r"/nix/store/[0-9a-z]{32}-", "/nix/store/<hash>-", json.dumps(v, sort_keys=True))
    for path, old in base["values"].items():
        if path in values:
            if masked(values[path]) != masked(old) and not any(path == a or path.startswith(a + ".") for a in allow_changed):
                problems.append(f"{path} changed: {json.dumps(old, sort_keys=True)[:300]} -> {json.dumps(values[path], sort_keys=True)[:300]}")
        elif path in failing:
            problems.append(f"{path} no longer evaluates: {failing[path][-300:]}")
        else:
            problems.append(f"{path} disappeared")
    if base["outputs"] is not None and names is not None and set(base["outputs"]) - set(names["outputs"]):
        problems.append(f"outputs lost: {sorted(set(base['outputs']) - set(names['outputs']))}")
    # A new package that fails exactly as an attribute of the original flake
    # failed (the image of a `default` package the stubs cannot build) says
    # nothing about the edit.
    def first_error(e):
        lines = [l for l in e.splitlines() if l.startswith("error:")]
        return re.sub(r"/tmp/[^/\s]+", "<tmp>", lines[0]) if lines else None
    known = {first_error(e) for _, e in base["failing"]} - {None}
    # A package the stubs evaluate to a string (a lenient stub standing in for
    # another flake's package set) cannot be put in an image by any edit.
    stub_string = wraps is not None and isinstance(base["values"].get(wraps), str)
    for path in expect_new:
        if path in failing and stub_string:
            notes.append(f"new {path} fails because {wraps} is a string with the stubs, not a derivation")
        elif path in failing and first_error(failing[path]) in known:
            notes.append(f"new {path} fails as the original {first_error(failing[path])}")
        elif path in failing:
            problems.append(f"new {path} does not evaluate: {failing[path][-400:]}")
        elif path not in values and not new_optional:
            problems.append(f"new {path} not in the outputs (attrs: {sorted(values)[:12]})")
    added = set(values) - set(base["values"]) - set(expect_new)
    if added:
        notes.append(f"also added: {sorted(added)[:8]}")
    return problems, notes
