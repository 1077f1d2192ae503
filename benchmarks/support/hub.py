"""Small hubs for the benchmarks, built through the real migrations and services."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.accounts import services as accounts
from joinedup.actor import Actor
from joinedup.db import make_engine
from joinedup.directory import services as directory

BENCHMARKS = Path(__file__).resolve().parents[1]
ROOT = BENCHMARKS.parent
ADMIN = Actor.system("benchmarks")
REFERRER_EMAIL = "rita.referrer@bench-police.example"


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """A throwaway database of `kind` ("sqlite" or "postgresql"), removed afterwards."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="joinedup-bench-"))
        try:
            yield f"sqlite:///{folder / 'hub.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        from tests.postgres import throwaway_postgres

        with throwaway_postgres() as url:
            yield url


def migrated(url: str) -> Engine:
    engine = make_engine(url)
    schema.upgrade(engine)
    return engine


def intake_hub(url: str) -> str:
    """An empty hub with one police referrer who has a sign-in and an API token; the token."""
    engine = migrated(url)
    with Session(engine) as session:
        directory.add_area(session, ADMIN, "BENCH", "Benchshire")
        directory.add_agency(session, ADMIN, "BENCH-POLICE", "Bench Police", "police", None)
        directory.add_professional(
            session,
            ADMIN,
            email=REFERRER_EMAIL,
            given_name="Rita",
            family_name="Referrer",
            agency_code="BENCH-POLICE",
            roles=["referrer"],
        )
        accounts.add_user(session, ADMIN, REFERRER_EMAIL, None)
        _, raw = accounts.create_api_token(session, ADMIN, REFERRER_EMAIL, "benchmark")
    engine.dispose()
    return raw


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class Server:
    """`joinedup serve --workers N` serving the hub on 127.0.0.1 (the web assets must be built:
    `make assets`)."""

    def __init__(self, url: str, data_dir: Path, log: Path, workers: int = 1) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "JOINEDUP_DATABASE_URL": url,
            "JOINEDUP_DATA_DIR": str(data_dir),
            "JOINEDUP_SECRET_KEY": "benchmark-secret-key-" + "x" * 32,
        }
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "joinedup",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started = time.perf_counter()
        while not serving(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited {self.process.returncode}: {log.read_text()}")
            if time.perf_counter() - started > 300:  # each worker builds its matcher first
                self.stop()
                raise RuntimeError("the hub did not start serving within five minutes")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
