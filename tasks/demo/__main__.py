"""python -m tasks.demo DEST: write the demo project to DEST as a fresh git repository."""

from __future__ import annotations

import sys
from pathlib import Path

from tasks.demo import materialize


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m tasks.demo DEST", file=sys.stderr)
        return 2
    try:
        path = materialize(Path(args[0]))
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
