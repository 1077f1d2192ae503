"""`joinedup demo`: build the synthetic county once, then serve it."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import typer
from rich.progress import Progress, TimeElapsedColumn
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.accounts.models import User
from joinedup.cli.common import Failure, console, engine, session_on, settings
from joinedup.cli.serve import run
from joinedup.config import Settings
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.practice import PracticeError, current_practice
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.front_door import simulate_front_door
from joinedup.synthetic.load import extract_files, import_extracts, load_county
from joinedup.synthetic.open_cases import case_workers

PASSWORD_FILE = "demo-password"
SIGN_INS_FILE = "demo-sign-ins.txt"
LOADED_MARK = "imported"  # beside the extracts once every one is in


def demo(
    people: int = typer.Option(50_000, help="People living in the synthetic county"),
    seed: int = typer.Option(20261127, help="The county follows from the seed"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the hub once it is built"),
    port: int = typer.Option(None, help="Port to serve on [default: 8000 or JOINEDUP_PORT]"),
) -> None:
    """Build a synthetic county (seven districts, their agencies, staff and people) and serve it.

    The first run builds it into the data directory; later runs reuse it and start in seconds.
    Every person in it is invented.
    """
    config = settings()
    found = engine(config)
    schema.upgrade(found)
    with session_on(found) as session:
        built = session.scalar(select(func.count()).select_from(Agency)) or 0
    extracts = config.data_dir / "county" / "extracts"
    if built and not (extracts.parent / LOADED_MARK).exists():
        # An earlier build stopped part way through the import; finish it.
        with Progress(console=console) as bar, session_on(found) as session:
            _import(bar, found, session, extracts)
    if built:
        console.print(f"Using the county already built in {config.data_dir}/.")
    else:
        _build(config, found, people, seed)
    with session_on(found) as session:
        _print_sign_ins(config, case_workers(session))
    if serve:
        run(config, config.host, port or config.port, demo=True)


def _build(config: Settings, found: Engine, people: int, seed: int) -> None:
    try:
        options = CountyOptions(seed=seed, people=people)
    except ValueError as error:
        raise Failure(f"Cannot build the county: {error}", exit_code=2) from None
    started = time.perf_counter()
    extracts = config.data_dir / "county" / "extracts"
    with Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console) as bar:
        step = bar.add_task(f"Building a county of {people:,} people", total=3)
        county = build_county(options)
        bar.update(step, advance=1, description="Writing the agencies' extracts")
        write_county(county, config.data_dir / "county")
        bar.update(step, advance=1, description="Loading the directory and agreements")
        with session_on(found) as session:
            report = load_county(session, county, _demo_password(config.data_dir), seed)
            _record_sign_ins(config.data_dir, session)
            bar.update(step, advance=1, description="Built")
            built = time.perf_counter() - started
            records = _import(bar, found, session, extracts)
    loaded = time.perf_counter() - started - built
    console.print(
        f"Built the county in {built:.1f}s: {len(county.districts)} districts, "
        f"{report.directory['agencies']} agencies, "
        f"{report.directory['professionals']} professionals, "
        f"{len(county.people):,} people in {len(county.households):,} households, and "
        f"{records:,} agency records, imported in {loaded:.1f}s from the extracts in {extracts}."
    )


def _import(bar: Progress, found: Engine, session: Session, extracts: Path) -> int:
    """Import the extracts, then play the front door's last weeks over the people in them."""
    files = extract_files(extracts)
    task = bar.add_task("Importing each agency's extract", total=len(files))
    records = import_extracts(session, files, lambda: bar.update(task, advance=1))
    session.commit()
    step = bar.add_task("Playing the MASH's last working days", total=1)
    try:
        practice = current_practice()
    except PracticeError as error:
        raise Failure(str(error), exit_code=2) from None
    simulate_front_door(found, practice, seed=1)
    bar.update(step, advance=1)
    (extracts.parent / LOADED_MARK).touch()
    return records


def _demo_password(data_dir: Path) -> str:
    """One random password for every demo sign-in, made on first build and kept (0600)."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def _record_sign_ins(data_dir: Path, session: Session) -> None:
    """Keep the list of demo sign-ins beside the database, one per role and kind of agency."""
    rows = session.execute(
        select(Professional, Agency)
        .join(User, User.professional_id == Professional.id)
        .join(Agency, Agency.id == Professional.agency_id)
        .where(User.password_hash.is_not(None))
        .order_by(Agency.kind, Professional.email)
    ).all()
    lines = []
    for professional, agency in rows:
        roles = ", ".join(Role(r).label for r in sorted(professional.active_roles))
        lines.append(
            f"{roles}\t{AgencyKind(agency.kind).label}: {agency.name}\t{professional.email}"
        )
    (data_dir / SIGN_INS_FILE).write_text("\n".join(lines) + "\n")


def _print_sign_ins(config: Settings, social_workers: set[str]) -> None:
    """Grouped by agency, one sign-in a line, never cut short: people copy these addresses.
    The social worker holding the demo's open cases is marked: contacts about those children
    go to them, not through the MASH."""
    path = config.data_dir / SIGN_INS_FILE
    password = (config.data_dir / PASSWORD_FILE).read_text().strip()
    console.print("[bold]Demo sign-ins[/bold]: one for each role at each kind of agency")
    shown = ""
    for line in path.read_text().splitlines():
        roles, agency, email = line.split("\t")
        if agency != shown:
            console.print(f"  {agency}", style="cyan", soft_wrap=True)
            shown = agency
        if email in social_workers:
            roles += "; the allocated social worker of open cases: contacts about them come here"
        console.print(f"    {email}  ({roles})", soft_wrap=True, highlight=False)
    console.print(f"Every demo sign-in uses the password [bold]{password}[/bold]")
    console.print(f"(This list is kept in {path}.)", soft_wrap=True)
