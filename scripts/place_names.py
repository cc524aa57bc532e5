"""Count the code's tokens that name a place of the theatre (identifiers and string literals).

Reads every module of ``src/kabulsim`` outside ``scenario/`` with :mod:`tokenize` and counts
the NAME and STRING tokens (docstrings excluded: a string that is a whole statement) whose
text contains ``shamali``, ``north`` or ``mazar`` (case-insensitive). Prints the total, the
total in ``model/`` and one line per module::

    python scripts/place_names.py [--root src/kabulsim]
"""

from __future__ import annotations

import argparse
import io
import tokenize
from pathlib import Path

PLACES = ("shamali", "north", "mazar")


def count(source: str) -> int:
    """Place-naming NAME and STRING tokens of ``source`` (docstrings and comments excluded)."""
    n = 0
    previous = tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        kind = tok.type
        if kind == tokenize.STRING and previous in (
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.NL,
        ):
            previous = kind  # a docstring (or a bare string statement)
            continue
        if kind in (tokenize.NAME, tokenize.STRING):
            text = tok.string.lower()
            if any(p in text for p in PLACES):
                n += 1
        if kind not in (tokenize.COMMENT, tokenize.NL):
            previous = kind
    return n


def counts(root: Path) -> dict[str, int]:
    """Place-naming tokens per module of the package under ``root`` (``scenario/`` excluded)."""
    found: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("scenario/"):
            continue
        n = count(path.read_text(encoding="utf-8"))
        if n:
            found[rel] = n
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent.parent / "src" / "kabulsim"
    parser.add_argument("--root", type=Path, default=here)
    args = parser.parse_args()
    found = counts(args.root)
    model = sum(n for rel, n in found.items() if rel.startswith("model/"))
    print(f"total {sum(found.values())} in {len(found)} modules; model/ {model}")
    for rel, n in sorted(found.items(), key=lambda kv: -kv[1]):
        print(f"{n:5d} {rel}")


if __name__ == "__main__":
    main()
