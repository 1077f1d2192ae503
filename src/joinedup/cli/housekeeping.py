"""Work the hub does on its own clock while it serves: escalating late partner research.

`joinedup serve` runs it every minute in a background thread; `joinedup research escalate`
runs it once (for a scheduler, when the web app runs elsewhere). Each pass is its own
transaction, and a request is escalated once however many hubs run it (the update is
conditional on its not being escalated yet).
"""

from __future__ import annotations

import logging
import threading

import typer
from sqlalchemy import Engine

from joinedup.actor import Actor
from joinedup.cli.common import console, current_engine, session_on, settings
from joinedup.frontdoor.research import escalate_late_research

log = logging.getLogger(__name__)
HOUSEKEEPER = Actor.system("housekeeping")
EVERY_SECONDS = 60.0

research = typer.Typer(help="Partner research: the clocks on agencies' answers.")


def escalate_once(found: Engine) -> int:
    """Escalate every research request now past its due time; how many were."""
    with session_on(found) as session:
        return len(escalate_late_research(session, HOUSEKEEPER))


@research.command("escalate")
def escalate() -> None:
    """Escalate unanswered research requests that are past their due time (once each)."""
    count = escalate_once(current_engine(settings()))
    console.print(f"Escalated {count} late research request{'' if count == 1 else 's'}.")


class Housekeeper(threading.Thread):
    """A daemon thread that runs each pass every `every` seconds until stopped."""

    def __init__(self, found: Engine, every: float = EVERY_SECONDS) -> None:
        super().__init__(name="joinedup-housekeeping", daemon=True)
        self._engine = found
        self._every = every
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                escalate_once(self._engine)
            except Exception:  # a bad pass must not stop the next one, nor the hub
                log.exception("housekeeping pass failed; trying again in %.0f s", self._every)
            self._stopped.wait(self._every)

    def stop(self) -> None:
        self._stopped.set()
