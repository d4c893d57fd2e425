#!/usr/bin/env python3
"""Fails when a Rust crate's modules import each other in a cycle, or a lower layer
imports a higher one.

Reads every `.rs` file under a crate's `src/`, maps it to its module path
(`src/agent/tools.rs` -> `agent::tools`), and collects the modules each file names
through `crate::...`, `super::...` and `self::...` paths (in `use` items and inline).
A `pub use child::...` in a parent is a re-export, not a dependency. Then:

* cycles between files (a module that imports one that imports it back, directly or
  through others) are errors;
* `--lower a,b,c` names top-level modules that may only import each other and nothing
  else of the crate (the lower layers).

Usage: check_layers.py CRATE_SRC [--lower db,meta]
"""
import re
import sys
from pathlib import Path


def module_of(src: Path, file: Path) -> tuple:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def expand_use(tree: str) -> list:
    """`a::{b, c::{d}}` -> ['a::b', 'a::c::d']"""
    tree = tree.strip()
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                prefix = tree[:start]
                inner = tree[start + 1 : i]
                parts, d, cur = [], 0, ""
                for c in inner:
                    if c == "," and d == 0:
                        parts.append(cur)
                        cur = ""
                        continue
                    d += c == "{"
                    d -= c == "}"
                    cur += c
                parts.append(cur)
                out = []
                for p in parts:
                    if p.strip():
                        out += [prefix + x for x in expand_use(p)]
                return out
    return [tree.split(" as ")[0].strip()]


def strongly_connected(edges):
    """Tarjan: yields (component, edges) for every component of more than one node."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append((comp, edges))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            strong(v)
    return out


def main() -> int:
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    src = Path(args[0])
    lower = set()
    if "--lower" in args:
        lower = set(args[args.index("--lower") + 1].split(","))
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    edges = {m: set() for m in modules}

    def resolve(current: tuple, path: str):
        segs = [s for s in path.split("::") if s]
        if not segs:
            return None
        if segs[0] == "crate":
            base, segs = (), segs[1:]
        elif segs[0] in ("super", "self"):
            base = current
            while segs and segs[0] in ("super", "self"):
                if segs[0] == "super":
                    base = base[:-1]
                segs = segs[1:]
        else:
            return None
        best = None
        for n in range(len(segs), -1, -1):
            cand = base + tuple(segs[:n])
            if cand in modules:
                best = cand
                break
        return best

    for m, f in modules.items():
        text = strip_comments(f.read_text())
        for um in re.finditer(r"(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", text):
            is_pub = bool(um.group(1))
            for path in expand_use(um.group(2)):
                target = resolve(m, path)
                if target is None or target == m:
                    continue
                if is_pub and target[: len(m)] == m:
                    continue  # a parent re-exporting its child
                edges[m].add(target)
        body = re.sub(r"(pub(?:\([^)]*\))?\s+)?use\s+[^;]+;", "", text)
        for pm in re.finditer(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)", body):
            target = resolve(m, pm.group(1))
            if target is not None and target != m:
                edges[m].add(target)

    def name(m):
        return "::".join(m) or "crate"

    problems = []
    # Cycles between files, then between top-level modules.
    for comp, graph in strongly_connected(edges):
        members = set(comp)
        links = sorted(f"{name(a)} -> {name(b)}" for a in comp for b in graph[a] if b in members)
        problems.append("import cycle between files: " + "; ".join(links))
    top = {}
    via = {}
    for m, targets in edges.items():
        for t in targets:
            if m and t and m[0] != t[0]:
                top.setdefault(m[:1], set()).add(t[:1])
                via.setdefault((m[:1], t[:1]), f"{name(m)} -> {name(t)}")
    for v in list(top):
        for w in top[v]:
            top.setdefault(w, set())
    for comp, graph in strongly_connected(top):
        members = set(comp)
        links = sorted(via[(a, b)] for a in comp for b in graph[a] if b in members)
        problems.append("import cycle between modules: " + "; ".join(links))
    for m, targets in edges.items():
        if m and m[0] in lower:
            for t in targets:
                if t and t[0] not in lower:
                    problems.append(f"lower layer {name(m)} imports {name(t)}")
    for p in problems:
        print(f"{src}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
