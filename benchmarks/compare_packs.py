"""Compare the notebook outputs of two report packs, apart from timings and stamps.

Used to prove that a refactor changed no number: run the pack before and after
(``make report OUT=/tmp/before`` ... ``OUT=/tmp/after``) and compare::

    python benchmarks/compare_packs.py /tmp/before/<run-id> /tmp/after/<run-id>

Every output of every code cell of every executed notebook is compared as text (HTML,
images as their base64 bytes, plain text, errors). Masked before comparing: times and
run ids (the stamp), durations, and the id the display module gives each table on a
page (a counter). Widget views are dropped (their model ids are random). Exits 1 when
any notebook differs, and prints where.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

VOLATILE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\d{8}-\d{6}"), "<run-id>"),
    (re.compile(r"snb-t\d+"), "snb-t#"),
    (re.compile(r"\b\d+(\.\d+)? ?(s|ms|seconds)\b"), "<duration>"),
]


def outputs(path: Path) -> list[str]:
    """Return every code-cell output of an executed notebook as masked text."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            data = {k: v for k, v in (out.get("data") or {}).items()
                    if k != "application/vnd.jupyter.widget-view+json"}
            text = json.dumps({"type": out.get("output_type"), "data": data, "text": out.get("text"),
                               "error": out.get("evalue")}, sort_keys=True)
            for pattern, mask in VOLATILE:
                text = pattern.sub(mask, text)
            found.append(text)
    return found


def first_difference(a: str, b: str, *, context: int = 150) -> str:
    """Return both texts around the first character where they differ."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"   before ...{a[max(0, i - context):i + context]!r}\n   after  ...{b[max(0, i - context):i + context]!r}"


def compare(before: Path, after: Path) -> int:
    """Print one line per notebook and return how many differ (or are missing on one side)."""
    names_a = {p.name for p in before.glob("*.ipynb")}
    names_b = {p.name for p in after.glob("*.ipynb")}
    bad = len(names_a ^ names_b)
    for name in sorted(names_a ^ names_b):
        print(f"ONLY IN {'before' if name in names_a else 'after'}: {name}")
    for name in sorted(names_a & names_b):
        oa, ob = outputs(before / name), outputs(after / name)
        if oa == ob:
            print(f"same  {name} ({len(oa)} outputs)")
            continue
        bad += 1
        print(f"DIFF  {name}: {len(oa)} vs {len(ob)} outputs")
        for i, (x, y) in enumerate(zip(oa, ob, strict=False)):
            if x != y:
                print(f"   output {i}:\n{first_difference(x, y)}")
                break
    print(f"{len(names_a | names_b)} notebooks, {bad} different")
    return bad


def main(argv: list[str] | None = None) -> int:
    """Compare two packs given on the command line; exit 1 when they differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="pack folder (reports/<run-id>) before the change")
    parser.add_argument("after", type=Path, help="pack folder after the change")
    args = parser.parse_args(argv)
    return 1 if compare(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
