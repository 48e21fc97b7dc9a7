"""``python -m bench [--quick] [--only model,ingest,cli_add,ui,library_scale,soak,extraction] [--output FILE]``
(``--from-results RESULTS_JSON`` writes the page again from an earlier run's results)

Runs every benchmark group, each in a fresh process (``bench.group``), and writes the table to
docs/benchmarks.md (and prints it). Every figure is a ratio to a reference measured in the same
run. ``--quick`` runs smaller versions (about two minutes on an idle two-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.common import machine, reader_version

GROUPS = ("model", "ingest", "cli_add", "ui", "library_scale", "soak", "extraction")
ROOT = Path(__file__).resolve().parent.parent


def _group_environment() -> dict[str, str]:
    """Each group's process: Python's bytecode is written and read (in the bench's cache), as an
    installed app has it; compiling modules on first import would be measured as Reader's
    (a 100 ms stall of the window when the first summary imported its backends)."""
    from bench.library_scale import BYTECODE

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "PYTHONPYCACHEPREFIX": str(BYTECODE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="smaller runs (about 2 minutes)")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"groups to run, comma-separated (default: all of {','.join(GROUPS)})")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md",
                        help="where to write the markdown (default: docs/benchmarks.md)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--from-results", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: write the page again from a run's results.json "
                             "(after editing bench/analysis.md)")
    args = parser.parse_args(argv)
    if args.from_results:
        return _write(report.markdown(json.loads(args.from_results.read_text(encoding="utf-8")),
                                      raw_path=args.from_results), args, args.from_results)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")

    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    load_start = os.getloadavg()
    results, failures = [], []
    for group in groups:
        out = work / f"{group}.json"
        log = work / f"{group}.log"
        print(f"[bench] {group}{' (quick)' if args.quick else ''}: load {_load()} …",
              file=sys.stderr, flush=True)
        group_started = time.perf_counter()
        with open(log, "w", encoding="utf-8") as handle:
            code = subprocess.call(
                [sys.executable, "-m", "bench.group", group, *(["--quick"] if args.quick else []),
                 str(out)],
                cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                env=_group_environment(),
            )
        seconds = time.perf_counter() - group_started
        if code != 0 or not out.exists():
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            failures.append({"group": group, "code": code, "log": str(log), "tail": tail})
            print(f"[bench] {group} FAILED (exit {code}) after {seconds:.0f} s; log: {log}\n{tail}",
                  file=sys.stderr, flush=True)
            continue
        results.append(json.loads(out.read_text(encoding="utf-8")))
        print(f"[bench] {group} done in {seconds:.0f} s", file=sys.stderr, flush=True)

    run = {
        "date": started_at.isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": time.perf_counter() - started,
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "machine": machine(),
        "reader": reader_version(),
        "groups": results,
        "failures": failures,
    }
    (work / "results.json").write_text(json.dumps(run, indent=1, default=str), encoding="utf-8")
    code = _write(report.markdown(run, raw_path=work / "results.json"), args, work / "results.json")
    return 1 if failures else code


def _write(text: str, args: argparse.Namespace, results: Path) -> int:
    print(text)
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"[bench] written to {args.output}; raw results in {results}", file=sys.stderr)
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
