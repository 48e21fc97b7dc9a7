"""Runs one benchmark group in this process and writes its rows as JSON: the suite starts each
group in a fresh process, so that one group's threads, caches and loaded model leave the next
alone. ``python -m bench.group NAME [--quick] OUTPUT.json``"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    name, *rest = sys.argv[1:]
    quick = "--quick" in rest
    output = next(a for a in rest if a != "--quick")
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows = module.run(quick)
    result = {
        "group": name,
        "seconds": time.perf_counter() - started,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "rows": [row.as_dict() for row in rows],
    }
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
