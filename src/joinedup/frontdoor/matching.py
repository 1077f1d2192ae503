"""Finding the people a contact names in the people index, as the contact arrives.

With a trained linkage model (`joinedup link train`), each person is scored against every
agency record that blocks with them by the online matcher (linkage/online.py), which each
server process builds once and keeps up to date: the best master person at or above the link
threshold is linked, and every master person at or above the review threshold is kept as a
candidate, with each comparison's part in its weight, for a MASH manager to see. Two
different NHS numbers are never linked automatically, as in a batch run.

Without a model, the exact baseline: a person whose NHS number, else UPN, is on the records of
exactly one master person is that person; no match, or an identifier on two people's records,
leaves them unlinked rather than guess.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from joinedup.db import read_only
from joinedup.frontdoor.models import ContactSubject, SubjectCandidate
from joinedup.linkage import model_file
from joinedup.linkage.models import RecordPersonChange
from joinedup.linkage.online import OnlineMatcher
from joinedup.linkage.queries import records_to_link
from joinedup.linkage.settings import LinkageConfigError, load_linkage_settings
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.linkage.training import LinkageModel
from joinedup.people import normalise
from joinedup.people.models import AgencyRecord, PersonImport

log = logging.getLogger(__name__)

# How often a process looks for a new model file, new imports and moved records (seconds).
CHECK_EVERY = 10.0


@dataclass(frozen=True)
class PersonCandidate:
    """A master person the model found for someone named, and why."""

    master_person_id: int
    agency_record_id: int  # the person's record that scored best
    match_probability: float
    match_weight: float
    linked: bool
    contributions: tuple[tuple[str, str, float], ...]  # (comparison, level, weight)


@dataclass(frozen=True)
class SubjectMatch:
    """Who one person named in a contact is in the people index, if anyone."""

    master_person_id: int | None
    candidates: tuple[PersonCandidate, ...] = ()  # the model's, at or above review


class SubjectMatcher(Protocol):
    @property
    def model_file(self) -> str | None:
        """The trained model's file; None for the exact baseline."""

    def match(self, session: Session, subjects: Sequence[ContactSubject]) -> list[SubjectMatch]:
        """One match for each subject, in order."""
        ...


# --- The exact baseline ---------------------------------------------------------------------

# Every subject's identifiers in one query (an empty list matches nothing).
_BY_IDENTIFIER = (
    select(AgencyRecord.nhs_number, AgencyRecord.upn, AgencyRecord.master_person_id)
    .where(
        or_(
            AgencyRecord.nhs_number.in_(bindparam("nhs_numbers", expanding=True)),
            AgencyRecord.upn.in_(bindparam("upns", expanding=True)),
        ),
        AgencyRecord.master_person_id.is_not(None),
    )
    .distinct()
)


class ByIdentifiers:
    """The exact baseline, for every subject of a contact in one query."""

    @property
    def model_file(self) -> str | None:
        return None

    def match(self, session: Session, subjects: Sequence[ContactSubject]) -> list[SubjectMatch]:
        nhs_numbers = sorted({s.nhs_number for s in subjects if s.nhs_number})
        upns = sorted({s.upn for s in subjects if s.upn})
        if not nhs_numbers and not upns:
            return [SubjectMatch(None) for _ in subjects]
        by_nhs: dict[str | None, set[int]] = {}
        by_upn: dict[str | None, set[int]] = {}
        rows = session.connection().execute(
            _BY_IDENTIFIER, {"nhs_numbers": nhs_numbers, "upns": upns}
        )
        for nhs_number, upn, person in rows:
            assert person is not None  # the query asks for linked records only
            by_nhs.setdefault(nhs_number, set()).add(person)
            by_upn.setdefault(upn, set()).add(person)
        return [SubjectMatch(_one(s, by_nhs, by_upn)) for s in subjects]


def _one(
    subject: ContactSubject, by_nhs: dict[str | None, set[int]], by_upn: dict[str | None, set[int]]
) -> int | None:
    for value, people in ((subject.nhs_number, by_nhs), (subject.upn, by_upn)):
        found = people.get(value, set()) if value else set()
        if len(found) == 1:
            return next(iter(found))
        if found:
            return None  # one identifier, two people: not a guess the hub makes
    return None


EXACT = ByIdentifiers()


# --- The trained model, resident --------------------------------------------------------------

# What has changed in the people index: a new import (new and changed records), or records
# moved between master persons (linkage runs, reviewers' decisions, undone merges).
_STAMP = select(
    select(func.max(PersonImport.id)).scalar_subquery(),
    select(func.max(RecordPersonChange.id)).scalar_subquery(),
)
_MOVES = (
    select(
        RecordPersonChange.id,
        RecordPersonChange.agency_record_id,
        RecordPersonChange.to_master_person_id,
    )
    .where(RecordPersonChange.id > bindparam("since"))
    .order_by(RecordPersonChange.id)
)


@dataclass(frozen=True)
class _Index:
    """One build: the model, its matcher, each record's fields, and what the index was then."""

    model: LinkageModel
    matcher: OnlineMatcher
    records: dict[int, dict[str, Any]]  # agency record id -> its frame row
    person_of: dict[int, int]  # agency record id -> master person, moves applied since
    imports: int
    moves: int


class TrainedMatcher:
    """The newest model's online matcher over every agency record, built once per process.

    Every CHECK_EVERY seconds the next intake looks at the model folder and reads two numbers
    (the latest import and the latest record move): moves are applied at once, from
    record_person_changes; a new import or a newly trained model rebuilds the whole matcher in
    a background thread, on a read that holds up no writer, while the current one answers.
    """

    def __init__(self, data_dir: Path, model: LinkageModel, upper: float, lower: float) -> None:
        self._folder = model_file.model_folder(data_dir)
        self._model = model
        self._upper, self._lower = upper, lower
        self._index: _Index | None = None
        self._next_check = 0.0
        self._checking = threading.Lock()
        self._rebuilding = threading.Event()

    @property
    def model_file(self) -> str | None:
        model = self._index.model if self._index else self._model
        return model.path.name if model.path else "(not saved)"

    def load(self, session: Session) -> None:
        """Build the matcher from every agency record now (a process's first, or a test's)."""
        with self._checking:
            self._index = self._build(session, self._model)
            self._next_check = time.monotonic() + CHECK_EVERY

    def match(self, session: Session, subjects: Sequence[ContactSubject]) -> list[SubjectMatch]:
        if self._index is None:
            self.load(session)
        else:
            self._keep_up(session)
        index = self._index
        assert index is not None
        return [self._match_one(index, subject) for subject in subjects]

    def _match_one(self, index: _Index, subject: ContactSubject) -> SubjectMatch:
        query = query_record(subject)
        found: dict[int, PersonCandidate] = {}
        for candidate in index.matcher.candidates(query):
            if candidate.match_probability < self._lower:
                break  # best first
            # The records' people as they are now, not as they were when the matcher was built.
            person = index.person_of.get(candidate.record_id, candidate.master_person_id)
            if person in found:
                continue
            found[person] = PersonCandidate(
                master_person_id=person,
                agency_record_id=candidate.record_id,
                match_probability=candidate.match_probability,
                match_weight=candidate.match_weight,
                linked=False,
                contributions=tuple(
                    (part.comparison, part.level, part.match_weight)
                    for part in candidate.contributions
                ),
            )
        ranked = list(found.values())
        if not ranked or ranked[0].match_probability < self._upper:
            return SubjectMatch(None, tuple(ranked))
        theirs = index.records[ranked[0].agency_record_id]["nhs_number"]
        if query["nhs_number"] and theirs and theirs != query["nhs_number"]:
            # Two different NHS numbers are never linked automatically (linkage's guard rail).
            return SubjectMatch(None, tuple(ranked))
        ranked[0] = replace(ranked[0], linked=True)
        return SubjectMatch(ranked[0].master_person_id, tuple(ranked))

    def _keep_up(self, session: Session) -> None:
        if time.monotonic() < self._next_check or not self._checking.acquire(blocking=False):
            return
        try:
            self._next_check = time.monotonic() + CHECK_EVERY
            index = self._index
            assert index is not None
            imports, moves = session.connection().execute(_STAMP).one()
            imports, moves = imports or 0, moves or 0
            model = self._newest_model(index.model)
            if imports != index.imports or model is not index.model:
                self._rebuild(session, model)
            elif moves != index.moves:
                for change_id, record_id, person in session.connection().execute(
                    _MOVES, {"since": index.moves}
                ):
                    index.person_of[record_id] = person
                    moves = change_id
                self._index = replace(index, moves=moves)
        finally:
            self._checking.release()

    def _newest_model(self, current: LinkageModel) -> LinkageModel:
        try:
            newest = model_file.latest(self._folder, PERSON_SPEC)
            return current if newest == current.path else model_file.load(newest, PERSON_SPEC)
        except model_file.ModelFileError as error:  # keep the model in use
            log.warning("the online matcher keeps %s: %s", current.path, error)
            return current

    def _rebuild(self, session: Session, model: LinkageModel) -> None:
        bind = session.get_bind()
        if not isinstance(bind, Engine):  # a session on one connection (tests): here and now
            self._index = self._build(session, model)
            return
        if self._rebuilding.is_set():
            return
        self._rebuilding.set()

        def rebuild() -> None:
            try:
                with Session(read_only(bind)) as reading:
                    self._index = self._build(reading, model)
            except Exception:  # the current matcher goes on; the next check tries again
                log.exception("rebuilding the online matcher failed")
                self._next_check = 0.0
            finally:
                self._rebuilding.clear()

        threading.Thread(target=rebuild, name="joinedup-matcher", daemon=True).start()

    @staticmethod
    def _build(session: Session, model: LinkageModel) -> _Index:
        imports, moves = session.connection().execute(_STAMP).one()
        records: dict[int, dict[str, Any]] = {}
        person_of: dict[int, int] = {}
        for row in records_to_link(session):
            if row["master_person_id"] is not None:
                records[row["id"]] = person_frame_row(row["id"], row)
                records[row["id"]]["master_person_id"] = row["master_person_id"]
                person_of[row["id"]] = row["master_person_id"]
        matcher = OnlineMatcher(model, records.values())
        return _Index(model, matcher, records, person_of, imports or 0, moves or 0)


def query_record(subject: ContactSubject) -> dict[str, Any]:
    """A person named in a contact in the model's columns, normalised as the import does."""
    given = normalise.normalise_name(subject.given_name)
    postcode = normalise.parse_postcode(subject.postcode) if subject.postcode else None
    return person_frame_row(
        0,
        {
            "given_name_norm": given,
            "given_name_canonical": normalise.canonical_given_name(given),
            "family_name_norm": normalise.normalise_name(subject.family_name),
            "other_names_norm": None,
            "date_of_birth": subject.date_of_birth,
            "postcode_norm": postcode.unit if postcode else None,
            "postcode_sector": postcode.sector if postcode else None,
            "outward_code": postcode.outward if postcode else None,
            "nhs_number": subject.nhs_number,
            "upn": subject.upn,
        },
    )


# Each data directory's matcher in this process, and when to look for a first model again.
_residents: dict[Path, tuple[TrainedMatcher | None, float]] = {}
_residents_lock = threading.Lock()


def resident(data_dir: Path) -> TrainedMatcher | None:
    """This process's matcher for the models under data_dir, or None while none is trained (or
    the first cannot be used: the reason is logged, and intake matches exactly meanwhile)."""
    key = data_dir.resolve()
    matcher, next_look = _residents.get(key, (None, 0.0))
    if matcher is not None or time.monotonic() < next_look:
        return matcher
    with _residents_lock:
        matcher, next_look = _residents.get(key, (None, 0.0))
        if matcher is not None or time.monotonic() < next_look:
            return matcher
        try:
            newest = model_file.latest(model_file.model_folder(data_dir), PERSON_SPEC)
            config = load_linkage_settings()
            model = model_file.load(newest, PERSON_SPEC)
            matcher = TrainedMatcher(
                data_dir, model, config.upper_threshold, config.lower_threshold
            )
        except (model_file.ModelFileError, LinkageConfigError) as error:
            if "No linkage model has been trained" not in str(error):
                log.warning("intake matches by NHS number and UPN only: %s", error)
        _residents[key] = (matcher, time.monotonic() + CHECK_EVERY)
        return matcher


def record_candidates(
    session: Session,
    subjects: Sequence[ContactSubject],
    matches: Sequence[SubjectMatch],
    model_file_name: str | None,
) -> None:
    """Keep the model's candidates for each subject (already written, with their ids)."""
    rows = [
        {
            "contact_subject_id": subject.id,
            "master_person_id": candidate.master_person_id,
            "agency_record_id": candidate.agency_record_id,
            "match_probability": candidate.match_probability,
            "match_weight": candidate.match_weight,
            "linked": candidate.linked,
            "contributions": [list(part) for part in candidate.contributions],
            "model_file": model_file_name,
        }
        for subject, match in zip(subjects, matches, strict=True)
        for candidate in match.candidates
    ]
    if rows:
        session.connection().execute(insert(SubjectCandidate), rows)
