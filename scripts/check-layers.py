#!/usr/bin/env python3
"""Checks that the library's modules import only downward.

Reads the layer table of ARCHITECTURE.md (rows `| N | module | ... |`,
lower N below), finds every reference a module makes to another
(`crate::NAME` in its source, and `minimalloc::NAME` in the front ends), and
fails when one points to a module on the same or a higher layer, or to a
module the table does not list. With --graph it prints every arrow.

    python3 scripts/check-layers.py [--graph]
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def layers():
    rank = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|\s*`?([\w/]+?)`?\s*\|", line)
        if m:
            rank[m.group(2).strip("/")] = int(m.group(1))
    return rank


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return rel.stem


def code_of(text: str) -> str:
    """The source without its comments (docs may point anywhere) and without
    its `#[cfg(test)] mod tests` (tests may reach anywhere)."""
    i = text.find("#[cfg(test)]\nmod tests")
    text = text if i < 0 else text[:i]
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def main() -> int:
    rank = layers()
    arrows = {}
    for path in sorted(SRC.rglob("*.rs")):
        here = module_of(path)
        if here in ("lib", "main"):
            continue
        text = code_of(path.read_text())
        # The front ends name the library as `minimalloc::`.
        names = set(re.findall(r"\bcrate::(\w+)", text)) | set(re.findall(r"\bminimalloc::(\w+)", text))
        for name in names:
            if name != here and ((SRC / f"{name}.rs").exists() or (SRC / name).is_dir()):
                arrows.setdefault(here, set()).add(name)
    bad = []
    for here, targets in sorted(arrows.items()):
        for there in sorted(targets):
            if "--graph" in sys.argv:
                print(f"{here} ({rank.get(here, '?')}) -> {there} ({rank.get(there, '?')})")
            if here not in rank or there not in rank:
                bad.append(f"{here} -> {there}: not in ARCHITECTURE.md's table")
            elif rank[there] >= rank[here]:
                bad.append(f"{here} (layer {rank[here]}) -> {there} (layer {rank[there]}): not downward")
    for line in bad:
        print(line)
    print(f"{sum(len(t) for t in arrows.values())} arrows between {len(rank)} modules: "
          + ("all downward" if not bad else f"{len(bad)} wrong"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
