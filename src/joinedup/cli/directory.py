"""`joinedup areas | agencies | professionals`: keep the directory."""

from __future__ import annotations

import typer
from rich.table import Table

from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings
from joinedup.directory import queries, services
from joinedup.directory.rules import AgencyKind, Role

areas = typer.Typer(help="The districts the hub serves.", no_args_is_help=True)
agencies = typer.Typer(
    help="The partner agencies that share through the hub.", no_args_is_help=True
)
professionals = typer.Typer(help="The people who work in partner agencies.", no_args_is_help=True)
KINDS = ", ".join(k.value for k in AgencyKind)
ROLES = ", ".join(r.value for r in Role)


def _admin(command: str) -> Actor:
    return Actor.system(f"joinedup {command}")


@areas.command("add")
def add_area(code: str, name: str) -> None:
    """Add a district, e.g. `joinedup areas add ASH Ashfield`."""
    with session_on(current_engine(settings())) as session:
        try:
            area = services.add_area(session, _admin("areas add"), code, name)
        except services.DirectoryError as error:
            raise Failure(str(error)) from None
        console.print(f"Added the area {area.name} ({area.code}).")


@areas.command("list")
def list_areas() -> None:
    """List the districts."""
    with session_on(current_engine(settings())) as session:
        for area in queries.areas(session):
            console.print(f"{area.code}\t{area.name}")


@agencies.command("add")
def add_agency(
    code: str,
    name: str,
    kind: str = typer.Option(..., help=f"One of: {KINDS}"),
    area: str = typer.Option(None, help="The area code it serves; leave out for county-wide"),
) -> None:
    """Add a partner agency (police force, trust, school, council service...)."""
    with session_on(current_engine(settings())) as session:
        try:
            agency = services.add_agency(session, _admin("agencies add"), code, name, kind, area)
        except services.DirectoryError as error:
            raise Failure(str(error)) from None
        console.print(f"Added {agency.name} ({agency.code}).")


@agencies.command("list")
def list_agencies() -> None:
    """List the partner agencies with their kind, area and staff in post."""
    with session_on(current_engine(settings())) as session:
        counts = queries.headcounts(session)
        table = Table("Code", "Name", "Kind", "Area", "Staff")
        for agency in queries.agencies(session):
            table.add_row(
                agency.code,
                agency.name,
                AgencyKind(agency.kind).label,
                agency.area.name if agency.area else "county-wide",
                str(counts.get(agency.id, 0)),
            )
        console.print(table)


@professionals.command("add")
def add_professional(
    email: str,
    given_name: str = typer.Option(..., "--given-name"),
    family_name: str = typer.Option(..., "--family-name"),
    agency: str = typer.Option(..., help="The agency's code"),
    role: list[str] = typer.Option(["referrer"], help=f"Repeat for several: {ROLES}"),
    team: str = typer.Option(None, help="The team's code within the agency"),
    job_title: str = typer.Option("", "--job-title"),
) -> None:
    """Add a professional to an agency, with their roles. Let them sign in with `users add`."""
    with session_on(current_engine(settings())) as session:
        try:
            person = services.add_professional(
                session,
                _admin("professionals add"),
                email=email,
                given_name=given_name,
                family_name=family_name,
                agency_code=agency,
                roles=role,
                team_code=team,
                job_title=job_title,
            )
        except services.DirectoryError as error:
            raise Failure(str(error)) from None
        console.print(f"Added {person.name} to {person.agency.name}.")


@professionals.command("leave")
def leave(email: str) -> None:
    """Record that a professional has left: they can no longer sign in; their history stays."""
    with session_on(current_engine(settings())) as session:
        found = queries.professional_by_email(session, email)
        if found is None:
            raise Failure(f"No professional has the email address {email}")
        services.mark_left(session, _admin("professionals leave"), found.id)
        console.print(f"Recorded that {found.name} has left {found.agency.name}.")
