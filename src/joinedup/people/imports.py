"""Importing an agency's person extract: all of it or nothing, and nothing ever lost.

Every row is checked first (people.schemas); one problem anywhere and nothing is written. A
re-import compares each record with what the hub holds: unchanged records are left alone,
changed ones are updated with their old values kept as a version, new ones are added, and
records the agency no longer sends are kept and marked, never deleted. New records are linked
to master persons by the exact baseline (people.exact_linking) in the same transaction.

Rows are written with bulk statements, not one ORM object each: an extract can hold millions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.rules import canonical_json
from joinedup.audit.services import record
from joinedup.directory.models import Agency
from joinedup.people import exact_linking
from joinedup.people.models import AgencyRecord, AgencyRecordVersion, PersonImport
from joinedup.people.schemas import (
    PERSON_FIELDS,
    ExtractProblem,
    file_sha256,
    read_extract,
)

# Any fixed number: it names the advisory lock that serialises imports on PostgreSQL, so two
# imports cannot both create a master person for the same NHS number.
_IMPORT_LOCK = 0x4A55_5045
_RECORDS = cast(Table, AgencyRecord.__table__)
_VERSIONS = cast(Table, AgencyRecordVersion.__table__)
# Record ids listed in a report of those no longer in the extract; the rest are counted.
ABSENT_LISTED = 200


class PersonImportError(Exception):
    """The import cannot start (no such agency, the wrong agency's file); the message says why."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did. `import_id` is the earlier import when already_imported is True."""

    import_id: int
    agency_code: str
    file_name: str
    file_sha256: str
    already_imported: bool
    imported_at: dt.datetime
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0  # the agency's records not in this extract, kept
    absent_record_ids: tuple[str, ...] = ()  # the first ABSENT_LISTED of them
    returned: int = 0  # records back in the extract after being absent
    joined_known: int = 0  # new records joined to a master person already known
    new_people: int = 0
    warnings: tuple[ExtractProblem, ...] = ()
    warnings_total: int = 0


def import_extract(
    session: Session,
    actor: Actor,
    agency_code: str,
    path_or_stream: Path | str | BinaryIO,
    file_name: str | None = None,
) -> ImportReport:
    """Import one agency's person extract (a CSV file in the schema of people.schemas).

    `path_or_stream` is a path or a binary stream; `file_name` names it in messages and gives
    the default `source` column (a path's own name if not given). Returns an ImportReport;
    importing the file most recently imported for the agency again changes nothing and says
    so. Raises ExtractRejected listing every problem (nothing is imported), or
    PersonImportError.
    """
    data, file_name = _read(path_or_stream, file_name)
    agency = session.scalar(select(Agency).where(Agency.code == agency_code.strip().upper()))
    if agency is None:
        raise PersonImportError(f"There is no agency with the code {agency_code}")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    sha256 = file_sha256(data)
    earlier = _same_file_as_latest(session, agency, sha256, file_name)
    if earlier is not None:
        return ImportReport(
            earlier.id, agency.code, file_name, sha256, True, earlier.imported_at, rows=earlier.rows
        )
    now = clock.now()
    extract = read_extract(data, file_name, now.astimezone(clock.LONDON).date())

    run = PersonImport(
        agency_id=agency.id,
        file_name=file_name,
        file_sha256=sha256,
        rows=len(extract.rows),
        created=0,
        updated=0,
        unchanged=0,
        absent=0,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        imported_at=now,
    )
    session.add(run)
    session.flush()
    new, changed, returned, held = _compare(session, agency, extract.rows)
    newly_absent = [pk for pk, _, absent_since in held.values() if absent_since is None]

    _keep_versions(session, changed, run.id, now)
    if changed:
        session.execute(
            update(AgencyRecord),
            [
                {**row, "id": pk, "import_id": run.id, "updated_at": now}
                for pk, row in changed.items()
            ],
        )
    _mark_absent(session, returned, None)
    _mark_absent(session, newly_absent, run.id)
    links = exact_linking.link_new_records(session, new, now)
    for row in new:
        row.update(agency_id=agency.id, import_id=run.id)
    _insert_records(session, new, run)

    # The bulk statements went round the session; objects it holds may be out of date.
    session.expire_all()
    run.created, run.updated, run.absent = len(new), len(changed), len(held)
    run.unchanged = len(extract.rows) - len(new) - len(changed)
    record(
        session,
        actor,
        "admin:person_extract:imported",
        "person_import",
        run.id,
        agency=agency.code,
        file_name=file_name,
        file_sha256=sha256,
        rows=run.rows,
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        absent=run.absent,
        joined_known=links.joined_known,
        new_people=links.new_people,
    )
    session.commit()
    return ImportReport(
        import_id=run.id,
        agency_code=agency.code,
        file_name=file_name,
        file_sha256=sha256,
        already_imported=False,
        imported_at=now,
        rows=run.rows,
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        absent=run.absent,
        absent_record_ids=tuple(sorted(held)[:ABSENT_LISTED]),
        returned=len(returned),
        joined_known=links.joined_known,
        new_people=links.new_people,
        warnings=tuple(extract.warnings),
        warnings_total=extract.warnings_total,
    )


# record_id -> (primary key, digest of its person fields, import it has been absent since)
_Held = dict[str, tuple[int, str, int | None]]


def _compare(
    session: Session, agency: Agency, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]], list[int], _Held]:
    """Sort the extract's rows against what the hub holds for the agency.

    Returns the new rows; the changed ones by record key; the keys of records back after
    being absent; and, left over, the agency's records that are not in this extract.
    """
    held: _Held = {
        record_id: (record_pk, digest, absent_since)
        for record_id, record_pk, digest, absent_since in session.execute(
            select(
                AgencyRecord.record_id,
                AgencyRecord.id,
                AgencyRecord.fields_sha256,
                AgencyRecord.absent_since_import_id,
            ).where(AgencyRecord.agency_id == agency.id)
        )
    }
    new: list[dict[str, Any]] = []
    changed: dict[int, dict[str, Any]] = {}
    returned: list[int] = []
    for row in rows:
        found = held.pop(row["record_id"], None)
        if found is None:
            new.append(row)
            continue
        record_pk, digest, absent_since = found
        if absent_since is not None:
            returned.append(record_pk)
        if digest != row["fields_sha256"]:
            changed[record_pk] = row
    return new, changed, returned, held


def _insert_records(session: Session, rows: list[dict[str, Any]], run: PersonImport) -> None:
    """Write new records in bulk, the fastest way each database offers."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        # COPY takes a third of the time of psycopg's multi-row INSERTs.
        columns = [column.name for column in _RECORDS.columns if column.name != "id"]
        for row in rows:
            row.update(imported_at=run.imported_at, updated_at=run.imported_at)
        driver = session.connection().connection.driver_connection
        assert driver is not None  # a live connection always has one
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {_RECORDS.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row.get(name) for name in columns])
        return
    # The table, not the class: the ORM's bulk insert splits rows into a statement for each
    # pattern of empty cells (thousands for a real extract); the table takes one. The times
    # are the import's, read by the database: converting a datetime per row in Python costs
    # more than the insert.
    at = select(PersonImport.imported_at).where(PersonImport.id == run.id).scalar_subquery()
    session.execute(insert(_RECORDS).values(imported_at=at, updated_at=at), rows)


def _read(path_or_stream: Path | str | BinaryIO, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_stream, str | Path):
        path = Path(path_or_stream)
        try:
            return path.read_bytes(), file_name or path.name
        except FileNotFoundError:
            raise PersonImportError(f"There is no file at {path}") from None
        except IsADirectoryError:
            raise PersonImportError(
                f"{path} is a folder: give the extract file inside it"
            ) from None
    if file_name is None:
        raise ValueError("name the file a stream was read from (file_name)")
    return path_or_stream.read(), file_name


def _same_file_as_latest(
    session: Session, agency: Agency, sha256: str, file_name: str
) -> PersonImport | None:
    """The agency's latest import if it was of this very file. Raises PersonImportError if
    this file was imported for another agency (a wrong --agency would file one agency's
    records as another's)."""
    same = session.scalar(
        select(PersonImport)
        .where(PersonImport.file_sha256 == sha256)
        .order_by(PersonImport.id.desc())
    )
    if same is None:
        return None
    if same.agency_id != agency.id:
        raise PersonImportError(
            f"{file_name} was imported for {same.agency.name} ({same.agency.code}) on "
            f"{same.imported_at:%d %B %Y}, so it cannot also be {agency.code}'s extract: "
            "check the agency code"
        )
    latest = session.scalar(
        select(PersonImport)
        .where(PersonImport.agency_id == agency.id)
        .order_by(PersonImport.id.desc())
        .limit(1)
    )
    # An older extract sent again is a real change (the agency went back), so import it.
    return same if latest is not None and latest.id == same.id else None


def _keep_versions(
    session: Session, changed: dict[int, dict[str, Any]], import_id: int, now: dt.datetime
) -> None:
    """Write each changed record's current values as a version before they are replaced."""
    columns = [getattr(AgencyRecord, name) for name in ("source", *PERSON_FIELDS)]
    versions = []
    for chunk in exact_linking.chunks(sorted(changed)):
        query = select(AgencyRecord.id, AgencyRecord.import_id, *columns).where(
            AgencyRecord.id.in_(chunk)
        )
        for pk, from_import, *values in session.execute(query):
            fields = dict(zip(("source", *PERSON_FIELDS), values, strict=True))
            versions.append(
                {
                    "agency_record_id": pk,
                    "fields": canonical_json(fields),
                    "from_import_id": from_import,
                    "replaced_by_import_id": import_id,
                    "replaced_at": now,
                }
            )
    if versions:
        session.execute(insert(_VERSIONS), versions)


def _mark_absent(session: Session, record_pks: list[int], import_id: int | None) -> None:
    for chunk in exact_linking.chunks(record_pks):
        session.execute(
            update(AgencyRecord)
            .where(AgencyRecord.id.in_(chunk))
            .values(absent_since_import_id=import_id),
            execution_options={"synchronize_session": False},
        )
