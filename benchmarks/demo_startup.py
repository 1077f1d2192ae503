"""How long a newcomer waits: fresh clone to a serving hub with `make demo`, and a second start.

Clones this repository into a temporary folder and runs `make demo` there, timing until
/healthz answers. The first run is measured twice: with cold package caches (uv and npm
download everything, as on a new machine) and with warm ones; then a second start, which
must reuse the county. Also reports the county build time (from the command's own output)
and the size of the database and of the county's files.

    .venv/bin/python benchmarks/demo_startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from support.hub import free_port, serving  # noqa: E402

TIMEOUT = 900


def time_make_demo(clone: Path, env: dict[str, str]) -> tuple[float, str]:
    """Seconds from `make demo` to /healthz answering, and what the command printed."""
    port = free_port()
    log = clone / f"demo-{port}.log"
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "demo"],
            cwd=clone,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**env, "JOINEDUP_PORT": str(port), "COLUMNS": "200"},
            start_new_session=True,
        )
        try:
            while not serving(port):
                if process.poll() is not None:
                    raise RuntimeError(f"make demo exited {process.returncode}:\n{log.read_text()}")
                if time.perf_counter() - started > TIMEOUT:
                    raise RuntimeError("make demo did not start serving in time")
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return elapsed, log.read_text()


def one_round(cold: bool) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="joinedup-bench-"))
    try:
        clone = work / "joinedup"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = dict(os.environ)
        env.pop("JOINEDUP_DATA_DIR", None)
        env.pop("JOINEDUP_DATABASE_URL", None)
        if cold:
            env["UV_CACHE_DIR"] = str(work / "uv-cache")
            env["npm_config_cache"] = str(work / "npm-cache")
        first, output = time_make_demo(clone, env)
        second, _ = time_make_demo(clone, env)
        built = re.search(r"Built the county in ([0-9.]+)s", output)
        imported = re.search(r"imported in ([0-9.]+)s", output)
        var = clone / "var"
        return {
            "first_start_s": first,
            "second_start_s": second,
            "county_build_s": float(built.group(1)) if built else float("nan"),
            "extract_import_s": float(imported.group(1)) if imported else float("nan"),
            # The database with its write-ahead log: uncheckpointed pages live in the -wal file.
            "database_mb": sum(f.stat().st_size for f in var.glob("joinedup.sqlite3*")) / 1e6,
            "county_files_mb": sum(
                f.stat().st_size for f in (var / "county").rglob("*") if f.is_file()
            )
            / 1e6,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for cold in (True, False):
        rounds = [one_round(cold) for _ in range(args.runs)]
        results["cold caches" if cold else "warm caches"] = {
            key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]
        }
    print(json.dumps({"runs": args.runs, "medians": results}, indent=2))


if __name__ == "__main__":
    main()
