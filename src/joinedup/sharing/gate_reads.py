"""What the gate reads: the agreements in force, agencies' kinds, sharing decisions, break-glass.

Each read answers for a whole page in one query, with statements built once and run on the
session's connection: for a page of records, SQLAlchemy's statement and ORM machinery costs
far more than the database's own work.

The agreements in force and the agencies' kinds are the same for every record and nearly every
request, so they are remembered:
- for the rest of the transaction (a request, a command), in `session.info`, forgotten when
  the transaction ends, a savepoint's end included, and when it flushes a change to an
  agreement;
- between transactions, per database, while the *stamp* stays the same: the count and the
  highest id of the agreements, their parties, grants and status changes, and the agencies.
  Every change that moves what is in force adds a row (a status change for every activation,
  suspension and expiry; terms change only in a draft), an agency's kind never changes, and
  nothing is deleted, so a new request that reads the stamp (one small query) sees an
  agreement suspended by any process at once. Only what is committed is shared: not what a
  transaction changed itself, nor what a session joined to someone else's transaction reads
  (the tests' rolled-back ones).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import Engine, bindparam, event, func, or_, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing.models import (
    Agreement,
    AgreementGrant,
    AgreementParty,
    AgreementStatusChange,
    BreakGlassGrant,
    SharingDecision,
)
from joinedup.sharing.rules import (
    AgreementStatus,
    AgreementTerms,
    Article9Condition,
    DataCategory,
    Grant,
    OnwardSharing,
    Purpose,
    SharingChoice,
)

_STAMPED = (Agreement, AgreementParty, AgreementGrant, AgreementStatusChange, Agency)
_STAMP = select(
    *(
        select(aggregate(table.id)).scalar_subquery()
        for table in _STAMPED
        for aggregate in (func.count, func.max)
    )
)
_TERMS = (
    select(
        Agreement.id,
        Agreement.title,
        Agreement.purpose,
        Agreement.status,
        Agreement.starts_on,
        Agreement.ends_on,
        Agreement.onward_sharing,
        Agreement.article_9_condition,
        Agreement.schedule_1_condition,
        AgreementParty.agency_id,
        AgreementGrant.role,
        AgreementGrant.category,
    )
    .outerjoin(AgreementParty, AgreementParty.agreement_id == Agreement.id)
    .outerjoin(AgreementGrant, AgreementGrant.party_id == AgreementParty.id)
    .where(
        Agreement.status == AgreementStatus.ACTIVE.value,
        Agreement.starts_on <= bindparam("on"),
        or_(Agreement.ends_on.is_(None), Agreement.ends_on >= bindparam("on")),
    )
)
_KINDS = select(Agency.id, Agency.kind).where(Agency.id.in_(bindparam("ids", expanding=True)))
_CHOICES = (
    select(SharingDecision.subject_reference, SharingDecision.agency_id, SharingDecision.decision)
    .where(
        SharingDecision.subject_reference.in_(bindparam("references", expanding=True)),
        SharingDecision.agency_id.in_(bindparam("owners", expanding=True)),
        or_(
            SharingDecision.with_agency_id.is_(None),
            SharingDecision.with_agency_id == bindparam("recipient"),
        ),
    )
    .order_by(SharingDecision.decided_at, SharingDecision.id)
)
_OPEN_GRANTS = select(BreakGlassGrant.subject_reference, BreakGlassGrant.owner_agency_id).where(
    BreakGlassGrant.user_id == bindparam("user_id"),
    BreakGlassGrant.subject_reference.in_(bindparam("references", expanding=True)),
    BreakGlassGrant.starts_at <= bindparam("at"),
    BreakGlassGrant.expires_at > bindparam("at"),
)


@dataclass
class _Known:
    """The agreements in force (by day) and agencies' kinds, as of one stamp."""

    stamp: tuple[Any, ...]
    terms: dict[dt.date, tuple[AgreementTerms, ...]] = field(default_factory=dict)
    kinds: dict[int, AgencyKind] = field(default_factory=dict)


# Per database (engine). A stamp's _Known is replaced, never emptied, so a transaction holding
# an older one can only add to that one.
_SHARED: weakref.WeakKeyDictionary[Engine, _Known] = weakref.WeakKeyDictionary()
_KNOWN = "joinedup.sharing.known"  # in session.info: this transaction's _Known
_CHANGED = "joinedup.sharing.changed"  # in session.info: this transaction flushed a change


def _known(session: Session) -> _Known:
    """This transaction's _Known: the shared one for the current stamp, or its own."""
    known: _Known | None = session.info.get(_KNOWN)
    if known is None:
        stamp = tuple(session.connection().execute(_STAMP).one())
        bind = session.get_bind()
        if isinstance(bind, Engine) and _CHANGED not in session.info:
            known = _SHARED.get(bind)
            if known is None or known.stamp != stamp:
                known = _SHARED[bind] = _Known(stamp)
        else:
            known = _Known(stamp)
        session.info[_KNOWN] = known
    return known


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # Every end counts, a savepoint's included: what it rolled back may be what was read.
    session.info.pop(_KNOWN, None)
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_flush")
def _forget_changes(session: Session, _context: UOWTransaction) -> None:
    if any(
        isinstance(changed, _STAMPED)
        for changed in chain(session.new, session.dirty, session.deleted)
    ):
        session.info.pop(_KNOWN, None)
        session.info[_CHANGED] = True


def terms_in_force(session: Session, on: dt.date) -> tuple[AgreementTerms, ...]:
    """The terms of every agreement in force on `on`, as `queries.active_terms` gives them."""
    known = _known(session)
    terms = known.terms.get(on)
    if terms is None:
        rows = session.connection().execute(_TERMS, {"on": on})
        terms = known.terms[on] = _terms_from_rows(rows)
    return terms


def agency_kinds(session: Session, agency_ids: Iterable[int]) -> dict[int, AgencyKind]:
    """The kind of each agency."""
    known = _known(session).kinds
    wanted = set(agency_ids)
    missing = sorted(wanted - known.keys())
    if missing:
        rows = session.connection().execute(_KINDS, {"ids": missing})
        known.update((agency_id, AgencyKind(kind)) for agency_id, kind in rows)
    return {agency_id: known[agency_id] for agency_id in wanted}


def sharing_choices(
    session: Session, held: Collection[tuple[str, int]], recipient_agency_id: int
) -> dict[tuple[str, int], SharingChoice]:
    """For each (person reference, agency holding the record), that agency's latest recorded
    decision about sharing the person with the recipient, as `queries.latest_sharing_choice`
    answers for one. Pairs with no decision are left out."""
    if not held:
        return {}
    rows = session.connection().execute(
        _CHOICES,
        {
            "references": sorted({reference for reference, _ in held}),
            "owners": sorted({owner for _, owner in held}),
            "recipient": recipient_agency_id,
        },
    )
    latest: dict[tuple[str, int], SharingChoice] = {}
    for reference, owner, decision in rows:  # oldest first, so the latest stays
        if (reference, owner) in held:
            latest[(reference, owner)] = SharingChoice(decision)
    return latest


def break_glass_open(
    session: Session, user_id: int, held: Collection[tuple[str, int]], at: dt.datetime
) -> set[tuple[str, int]]:
    """Which (person reference, agency holding the record) the user holds an open break-glass
    grant over at `at`, as `queries.break_glass_in_force` answers for one."""
    if not held:
        return set()
    rows = session.connection().execute(
        _OPEN_GRANTS,
        {"user_id": user_id, "references": sorted({r for r, _ in held}), "at": at},
    )
    opened = {(reference, owner) for reference, owner in rows}  # owner None: every agency's
    return {
        (reference, owner)
        for reference, owner in held
        if (reference, owner) in opened or (reference, None) in opened
    }


def _terms_from_rows(rows: Iterable[Any]) -> tuple[AgreementTerms, ...]:
    headers: dict[int, tuple[Any, ...]] = {}
    parties: dict[int, set[int]] = defaultdict(set)
    grants: dict[int, set[Grant]] = defaultdict(set)
    for *header, agency_id, role, category in rows:
        agreement_id = header[0]
        headers[agreement_id] = tuple(header)
        if agency_id is not None:
            parties[agreement_id].add(agency_id)
        if role is not None:
            grants[agreement_id].add(Grant(agency_id, Role(role), DataCategory(category)))
    return tuple(
        AgreementTerms(
            agreement_id=agreement_id,
            title=title,
            purpose=Purpose(purpose),
            status=AgreementStatus(status),
            starts_on=starts_on,
            ends_on=ends_on,
            parties=frozenset(parties[agreement_id]),
            grants=frozenset(grants[agreement_id]),
            onward_sharing=OnwardSharing(onward),
            article_9_condition=Article9Condition(condition) if condition else None,
            schedule_1_condition=schedule_1,
        )
        for agreement_id, (
            _,
            title,
            purpose,
            status,
            starts_on,
            ends_on,
            onward,
            condition,
            schedule_1,
        ) in sorted(headers.items())
    )
