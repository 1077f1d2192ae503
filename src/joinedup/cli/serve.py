"""`joinedup serve`: run the web app."""

from __future__ import annotations

import socket

import typer
import uvicorn

from joinedup.cli.common import Failure, console, current_engine, settings
from joinedup.cli.housekeeping import Housekeeper
from joinedup.config import Settings
from joinedup.db import make_session_factory
from joinedup.frontdoor.practice import PracticeError
from joinedup.web.app import STATIC, create_app


def serve(
    port: int = typer.Option(None, help="Port to listen on [default: 8000 or JOINEDUP_PORT]"),
    host: str = typer.Option(None, help="Address to listen on [default: 127.0.0.1]"),
) -> None:
    """Serve an existing hub database on the web (build one first with `joinedup demo`)."""
    config = settings()
    run(config, host or config.host, port or config.port, demo=False)


def run(config: Settings, host: str, port: int, demo: bool) -> None:
    """Serve until interrupted; refuse clearly if the database or the port is not usable."""
    found = current_engine(config)
    if not (STATIC / "vendor" / ".built").exists():
        raise Failure("The web assets have not been built: run `make assets` (or `make demo`).")
    _check_port_free(host, port)
    try:
        app = create_app(config, make_session_factory(found))
    except PracticeError as error:
        raise Failure(str(error), exit_code=2) from None
    app.state.demo = demo
    housekeeper = Housekeeper(found)
    housekeeper.start()
    console.print(f"[green]joinedup is serving on http://{host}:{port}[/green] (Ctrl+C to stop)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        housekeeper.stop()


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
