"""The table of MASH managers' decisions on who a person a contact names is.

Intake links a person named to the people index when the trained model is sure (matching.py);
when it is not, it keeps the model's candidates for a MASH manager, who decides (linking.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.directory.models import Professional


class SubjectLinkDecision(Base):
    """A MASH manager's decision on who a person a contact names is, among the candidates the
    trained model put forward: the same person as one of them (the subject is then linked to
    that master person), or none of them (the candidates are no longer offered). Once, with
    the reason: a second manager is told who decided what."""

    __tablename__ = "contact_subject_link_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_subject_id: Mapped[int] = mapped_column(
        ForeignKey("contact_subjects.id"), unique=True, comment="the person named"
    )
    linked: Mapped[bool] = mapped_column(
        comment="the same person as a candidate; false: none of the candidates"
    )
    master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"),
        comment="whom they were linked to; empty for none of these, and once anonymised",
    )
    candidate_rank: Mapped[int | None] = mapped_column(
        comment="the candidate chosen, 1 for the best, as the manager saw them"
    )
    candidates: Mapped[int] = mapped_column(comment="how many candidates the manager was shown")
    reason: Mapped[str] = mapped_column(Text, comment="why, in the manager's words")
    decided_by_professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    decided_at: Mapped[dt.datetime]

    decided_by: Mapped[Professional] = relationship()
