"""``python -m minimalloc``: the same command line as the ``minimalloc`` binary."""

from __future__ import annotations

import sys

from ._minimalloc import main as _main


def main() -> int:
    """Runs the command line with ``sys.argv`` and returns its exit code."""
    return _main(["minimalloc", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
