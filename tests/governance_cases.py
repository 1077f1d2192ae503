"""Jade's case (tests/governance.py) with children's services' cases: Sam, a social worker
there, holds an open case for Jade and one for Kai, a boy at her school, imported as the
case-management system's export, so a concern about either goes to Sam, not the MASH.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from sqlalchemy.orm import Session

from joinedup.directory.rules import Role
from joinedup.frontdoor.acceptance import accept_contact
from joinedup.frontdoor.bring_back import bring_back
from joinedup.frontdoor.cases import import_cases
from joinedup.frontdoor.models import Contact
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.sharing.inputs import today
from tests.factories import ADMIN
from tests.frontdoor import PRACTICE
from tests.governance import JADE_NHS, JadeCase

KAI_NHS = "4010232137"
KAI = {"kind": "child", "given_name": "Kai", "family_name": "Walker", "nhs_number": KAI_NHS}
JADE = {"kind": "child", "given_name": "Jade", "family_name": "Smith", "nhs_number": JADE_NHS}
HEADER = "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"
BROUGHT_BACK = "Wrong match: the child with the open case lives in Worksop, this one in Mansfield."


class JadeWithCases(JadeCase):
    def __init__(
        self, db: Session, day: dt.date, folder: Path, password: str | None = None
    ) -> None:
        super().__init__(db, day, password=password)
        self.folder = folder
        self.sam = self.person("Sam", self.csc, Role.REFERRER, password=password)
        self.sam_email = self.user("Sam").professional.email
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        writer.writerow({"record_id": "C-JADE", **{k: v for k, v in JADE.items() if k != "kind"}})
        writer.writerow({"record_id": "C-KAI", **{k: v for k, v in KAI.items() if k != "kind"}})
        import_extract(
            db, ADMIN, self.csc.code, io.BytesIO(text.getvalue().encode()), file_name="csc.csv"
        )
        self.opened_on = today() - dt.timedelta(days=30)
        self.cases(None, None)

    def cases(self, jade_closed_on: dt.date | None, kai_closed_on: dt.date | None) -> None:
        """Children's services' export: Jade's and Kai's cases, closed on the days given."""
        rows = [
            f"{record},{reference},{self.sam_email},{self.opened_on},{closed or ''}\n"
            for record, reference, closed in (
                ("C-JADE", "CIN-100", jade_closed_on),
                ("C-KAI", "CIN-200", kai_closed_on),
            )
        ]
        path = self.folder / "cases.csv"
        path.write_text(HEADER + "".join(rows))
        import_cases(self.db, ADMIN, self.csc.code, path)

    def about(self, *subjects: dict[str, object]) -> Contact:
        """A concern Alice raises about these children (no household members)."""
        return self.raise_concern(subjects=list(subjects))

    def bring_back(self, contact: Contact) -> None:
        """Bob brings a routed contact back into the MASH: the people index matched wrongly."""
        self.db.refresh(contact)
        bring_back(self.db, self.bob, contact.id, BROUGHT_BACK, contact.version, PRACTICE)
        self.db.refresh(contact)

    def accept(self, contact: Contact, note: str = "") -> None:
        """Sam takes a contact routed to him into his case's work: it stays with the case when
        the case closes (one he had not accepted would go back into the MASH)."""
        self.db.refresh(contact)
        accept_contact(self.db, self.sam, contact.id, note, contact.version, PRACTICE)
        self.db.refresh(contact)
