"""Measuring a linkage in a fresh process: its phases' time, CPU and memory, the load average
beside it, and its links against a truth file (benchmarks/linkage_scale.py)."""

from __future__ import annotations

import csv
import os
import resource
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from joinedup.linkage.evaluation import Evaluation

Key = tuple[str, str]  # (source, record_id)


def read_truth(path: Path) -> dict[Key, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(handle)}


def figures(result: Evaluation) -> dict[str, Any]:
    return {
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "f1": round(result.f1, 4),
        "true_people": result.true_people,
        "people_found": result.predicted_people,
        "people_exactly_right": result.people_exactly_right,
        "people_split": result.people_split,
        "people_found_mixed": result.predicted_people_mixed,
    }


def status_kb(pid: int | str, field: str) -> int:
    """A process's VmRSS or VmHWM (its peak resident set: unlike ru_maxrss, which a spawned
    process inherits from its parent at the fork, it starts afresh), 0 once it has gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(f"{field}:")), 0)


class Meter:
    """For each phase: wall-clock seconds; CPU seconds of this process (every thread: DuckDB's
    too) and of the processes it started (the reading processes, counted once ended); this
    process's peak resident set so far; and the peak of its resident set and its child
    processes' together, sampled every 0.2 s (the reading processes run beside it)."""

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, float]] = {}
        self._wall, self._cpu = time.perf_counter(), self._cpu_now()
        self._together_kb = 0
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    @staticmethod
    def _cpu_now() -> float:
        return sum(
            usage.ru_utime + usage.ru_stime
            for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        )

    def _watch(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.2):
            children = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    if stat.read_text().rsplit(")", 1)[1].split()[1] == me:
                        children.append(stat.parent.name)
                except (OSError, IndexError):
                    continue
            together = sum(status_kb(pid, "VmRSS") for pid in [me, *children])
            self._together_kb = max(self._together_kb, together)

    def done(self, phase: str) -> None:
        wall, cpu = time.perf_counter(), self._cpu_now()
        self.phases[phase] = {
            "seconds": round(wall - self._wall, 1),
            "cpu_seconds": round(cpu - self._cpu, 1),
            "peak_memory_mb": status_kb("self", "VmHWM") // 1024,
            "peak_with_readers_mb": max(self._together_kb, status_kb("self", "VmHWM")) // 1024,
        }
        self._wall, self._cpu = wall, cpu

    def peaks(self) -> dict[str, int]:
        self._stop.set()
        last = list(self.phases.values())[-1]
        return {k: int(last[k]) for k in ("peak_memory_mb", "peak_with_readers_mb")}


def quietly(work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run work with anything it prints (DuckDB's progress bars) sent to stderr, not stdout."""
    os.dup2(2, 1)
    return work(*args)


def in_fresh_process(work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run work in a new process, noting the load average every 5 s while it runs."""
    loads: list[float] = [os.getloadavg()[0]]
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(5):
            loads.append(os.getloadavg()[0])

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            result = pool.submit(quietly, work, *args).result()
    finally:
        stop.set()
        watcher.join()
    loads.append(os.getloadavg()[0])
    result["load_average"] = {
        "min": min(loads),
        "median": round(statistics.median(loads), 2),
        "max": max(loads),
    }
    return result
