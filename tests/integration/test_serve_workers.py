"""`joinedup serve --workers N`: several processes share the port, and contacts sent to them
all at once each get their reference, on both databases."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.accounts import services as accounts
from joinedup.cli.serve import _listening_socket
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.models import Contact
from tests.factories import ADMIN, create_agency, create_user

CONTACT = {
    "subjects": [{"kind": "child", "given_name": "Jade", "family_name": "Smith"}],
    "concern_categories": ["neglect"],
    "what_happened": "Seen hungry and unkempt.",
    "urgency": "routine",
    "consent": "given",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated database of its own (the server commits to it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
        schema.upgrade(make_engine(url))
        yield url
        return
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"serve_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema.upgrade(engine)
    yield url
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _token(engine: Engine) -> str:
    with Session(engine) as session:
        alice = create_user(
            session,
            "Alice",
            roles=(Role.REFERRER,),
            agency=create_agency(session, AgencyKind.POLICE),
            password=None,
        )
        _, raw = accounts.create_api_token(session, ADMIN, alice.professional.email, "Niche")
        return raw


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _workers_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            # uvicorn starts each worker with multiprocessing's spawn
            if f"\nPPid:\t{pid}\n" in status and "spawn_main" in (entry / "cmdline").read_text():
                children.append(int(entry.name))
    return children


def test_two_workers_take_contacts_sent_at_once_each_with_its_own_reference(
    database: str, tmp_path: Path
) -> None:
    engine = make_engine(database)
    raw = _token(engine)
    port = _free_port()
    env = {
        **os.environ,
        "JOINEDUP_DATA_DIR": str(tmp_path),
        "JOINEDUP_DATABASE_URL": database,
        "JOINEDUP_SECRET_KEY": "a-test-secret-key-" + "x" * 32,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "joinedup", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Two workers each import the whole hub: on a machine busy with the rest of the suite
        # that has taken over 90 s. The loop ends as soon as the hub answers.
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.2)
        assert len(_workers_of(server.pid)) == 2

        def send(key: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": key}
            return httpx.post(f"{base}/api/v1/contacts", json=CONTACT, headers=headers, timeout=60)

        # Eight of the contacts are sent twice at once, as a client that timed out retries.
        keys = [str(uuid.uuid4()) for _ in range(48)]
        sent = [key for pair in zip(keys[:8], keys[:8], strict=True) for key in pair] + keys[8:]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = dict(zip(range(len(sent)), pool.map(send, sent), strict=True))
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0]

    by_key: dict[str, list[httpx.Response]] = {}
    for number, key in enumerate(sent):
        by_key.setdefault(key, []).append(answers[number])
    for key, answered in by_key.items():
        assert sorted(a.status_code for a in answered) in ([201], [200, 201]), output
        assert len({a.json()["reference"] for a in answered}) == 1, key
    references = sorted(answered[0].json()["reference"] for answered in by_key.values())
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    assert numbers == list(range(numbers[0], numbers[0] + 48))  # unique, no gaps
    with Session(engine) as session:
        stored = session.scalars(select(Contact.reference)).all()
        assert sorted(stored) == references
        assert session.scalar(select(func.count()).select_from(Contact)) == 48
    engine.dispose()


def test_the_workers_connections_send_each_answer_at_once() -> None:
    """TCP_NODELAY on every accepted connection: without it an answer written in two parts
    waits ~40 ms for the client's delayed acknowledgement (uvicorn issue 3149)."""
    listening = _listening_socket("127.0.0.1", 0)
    nodelay: list[int] = []

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            nodelay.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Report, sock=listening)
        async with server:
            port = listening.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            while not nodelay:
                await asyncio.sleep(0.01)
            writer.close()

    # A thread of its own: the browser tests' Playwright keeps an event loop running in this
    # worker's main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, accept_one()).result(timeout=60)
    assert nodelay == [1]
