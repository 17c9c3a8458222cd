"""``python -m riskengine``: the same command line as the ``riskengine`` console script."""

from __future__ import annotations

import sys

from riskengine.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
