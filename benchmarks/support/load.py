"""A lean load generator: keep-alive HTTP/1.1 over asyncio streams, as wrk would drive a server.

The benchmarks run the server and the clients on the same two cores, so what the clients spend
is taken from the server. httpx's AsyncClient spent 4 to 10 ms of CPU a request here (more than
the hub spends answering /healthz); writing the request and reading the status, headers and
body by hand spends a fraction of a millisecond, so the figures are the server's.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection to 127.0.0.1:port, reopened after the server closes it."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> Answer:
        return await self._send(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())

    async def post_json(self, path: str, body: Any, headers: dict[str, str]) -> Answer:
        data = json.dumps(body).encode()
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{lines}\r\n"
        )
        return await self._send(head.encode() + data)

    async def _send(self, request: bytes) -> Answer:
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self._port)
        reader, writer = self._streams
        try:
            writer.write(request)
            status = int((await reader.readline()).split(b" ", 2)[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return Answer(status, body)

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


Request = Callable[[Connection], Awaitable[Answer]]


async def drive(port: int, clients: int, seconds: float, request: Request) -> dict[str, Any]:
    """`clients` connections each sending `request` back to back for `seconds`."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    answers: list[Answer] = []
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        connection = Connection(port)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    answer = await request(connection)
                except (OSError, EOFError, ValueError, IndexError) as error:  # never acknowledged
                    latencies.append(time.perf_counter() - sent)
                    statuses[type(error).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                statuses[str(answer.status)] += 1
                answers.append(answer)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "requests": len(latencies),
        "statuses": dict(statuses),
        "answers": answers,
    }


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children (a server's workers), so far."""
    return sum(cpu for process, parent, _, cpu, _ in _processes() if pid in (process, parent))


def database_cpu_seconds() -> float:
    """User and system CPU of the PostgreSQL server (the benchmark's throwaway server: its
    backends do the queries), so far: its processes', with those of backends that have ended
    (a pool closes connections it does not keep), which the postmaster has reaped."""
    return sum(cpu + reaped for _, _, name, cpu, reaped in _processes() if name == "postgres")


def _processes() -> list[tuple[int, int, str, float, float]]:
    """Each process's id, parent's id, name, CPU seconds, and its ended children's, from /proc."""
    found = []
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()  # fields[1] is the parent's pid
        cpu = (int(fields[11]) + int(fields[12])) / tick
        ended = (int(fields[13]) + int(fields[14])) / tick
        found.append((int(entry.name), int(fields[1]), name, cpu, ended))
    return found
