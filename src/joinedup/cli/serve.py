"""`joinedup serve`: run the web app, in one process or several."""

from __future__ import annotations

import gc
import os
import socket

import typer
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from uvicorn.supervisors import Multiprocess

from joinedup.cli.common import Failure, console, current_engine, settings
from joinedup.cli.housekeeping import Housekeeper
from joinedup.config import Settings, load_settings
from joinedup.db import make_session_factory, read_only
from joinedup.frontdoor import matching
from joinedup.frontdoor.practice import PracticeError, current_practice
from joinedup.web.app import STATIC, create_app

# Tells each worker process it serves the demo (the workers build their own app).
_DEMO_ENV = "JOINEDUP_SERVING_DEMO"


def serve(
    port: int = typer.Option(None, help="Port to listen on [default: 8000 or JOINEDUP_PORT]"),
    host: str = typer.Option(None, help="Address to listen on [default: 127.0.0.1]"),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Server processes. Each runs requests on one core at a time (Python's GIL), so "
        "give one a core to use them all; they share the port.",
    ),
) -> None:
    """Serve an existing hub database on the web (build one first with `joinedup demo`)."""
    config = settings()
    run(config, host or config.host, port or config.port, demo=False, workers=workers)


def run(config: Settings, host: str, port: int, demo: bool, workers: int = 1) -> None:
    """Serve until interrupted; refuse clearly if the database or the port is not usable."""
    found = current_engine(config)
    if not (STATIC / "vendor" / ".built").exists():
        raise Failure("The web assets have not been built: run `make assets` (or `make demo`).")
    _check_port_free(host, port)
    try:
        if workers == 1:
            app = create_app(config, make_session_factory(found))
            app.state.demo = demo
            _warm(app)
        else:
            current_practice()  # each worker reads it again; a bad file stops them all here
    except PracticeError as error:
        raise Failure(str(error), exit_code=2) from None
    # One housekeeper, in this process, however many workers serve.
    housekeeper = Housekeeper(found)
    housekeeper.start()
    console.print(f"[green]joinedup is serving on http://{host}:{port}[/green] (Ctrl+C to stop)")
    try:
        if workers == 1:
            uvicorn.run(app, host=host, port=port, log_level="warning")
        else:
            os.environ[_DEMO_ENV] = "1" if demo else ""
            # Each worker imports worker_app and reads the same JOINEDUP_* settings.
            workers_config = uvicorn.Config(
                f"{__name__}:worker_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
            )
            Multiprocess(workers_config, sockets=[_listening_socket(host, port)]).run()
    finally:
        housekeeper.stop()


def worker_app() -> FastAPI:
    """The app in one worker process of `joinedup serve --workers N`."""
    app = create_app(load_settings())
    app.state.demo = bool(os.environ.get(_DEMO_ENV))
    _warm(app)
    return app


def _warm(app: FastAPI) -> None:
    """Build now what the first contact would otherwise wait for: the bank holidays (half a
    second) and, when a linkage model is trained, the online matcher over every agency record
    (seconds), read without holding up writers.

    Then everything built so far (the modules, the app, the matcher) is moved out of the
    garbage collector's sight: it lives as long as the process, and each full collection
    otherwise walked all of it while every request waited (measured at 177 ms a collection,
    the slowest 1% of intakes; 23 ms after)."""
    app.state.practice.calendar  # noqa: B018 (a cached property, built on first use)
    matcher = matching.resident(app.state.settings.data_dir)
    if matcher is not None:
        with app.state.session_factory() as session:
            bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        with Session(read_only(engine)) as reading:
            matcher.load(reading)
    gc.freeze()


def _listening_socket(host: str, port: int) -> socket.socket:
    """The port every worker accepts on, bound with its protocol named. uvicorn's own binding
    leaves it unnamed, so asyncio never sets TCP_NODELAY on the connections the workers accept,
    and on Linux every answer on a kept-alive connection after the first waits about 40 ms for
    the client's delayed acknowledgement (uvicorn issue 3149)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, port))
    listening.set_inheritable(True)
    return listening


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise Failure(
                f"Cannot listen on {host}:{port} ({error.strerror}). "
                "Another program may be using it: choose another port with --port."
            ) from None
