"""What comes into the front door and what the referrer gets back: one shape for the web form,
the JSON API and (later) CSV rows.

These check only the shape (types, known choices). The meaning (real dates, check digits,
consent reasons, configured categories) is checked by rules.check_contact, so every way in
gets the same answers in the same words.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from joinedup.frontdoor.rules import (
    Consent,
    ConsentNotSoughtReason,
    PersonKind,
    SubjectRole,
    Urgency,
)


class SubjectIn(BaseModel):
    """A person the contact names: whom it is about, or someone in their household."""

    model_config = ConfigDict(extra="forbid")

    role: SubjectRole = Field(
        default=SubjectRole.SUBJECT,
        description="`subject` if the concern is about them; `household_member` if they are "
        "mentioned because they live with or care for a subject. At least one subject.",
    )
    kind: PersonKind = Field(description="`child` (under 18), `adult`, or `unborn`.")
    given_name: str | None = Field(default=None, max_length=1000, examples=["Jade"])
    family_name: str | None = Field(
        default=None,
        max_length=1000,
        description="A child or adult needs a first name or a last name (or both); an unborn "
        "baby may have neither.",
        examples=["Smith"],
    )
    date_of_birth: dt.date | None = Field(
        default=None,
        description="YYYY-MM-DD, today or earlier. Leave out when not known, and for an "
        "unborn baby.",
        examples=["2015-03-27"],
    )
    due_date: dt.date | None = Field(
        default=None, description="YYYY-MM-DD; an unborn baby's only.", examples=["2027-02-14"]
    )
    nhs_number: str | None = Field(
        default=None,
        max_length=40,
        description="10 digits, spaces or hyphens allowed; its check digit must be right.",
        examples=["943 476 5919"],
    )
    upn: str | None = Field(
        default=None,
        max_length=40,
        description="Unique Pupil Number: 13 characters; its check letter must be right.",
        examples=["H891234524001"],
    )
    address: str | None = Field(
        default=None, max_length=1000, examples=["12 Forest Road, Mansfield"]
    )
    postcode: str | None = Field(default=None, max_length=40, examples=["NG18 1AB"])
    relationship: str | None = Field(
        default=None,
        max_length=1000,
        description="A household member's relationship to the subject, in words.",
        examples=["mother's partner"],
    )


class ContactIn(BaseModel):
    """A concern about one or more people, raised by the professional the API token acts for.

    Professionals are never anonymous: the referrer is whoever the token belongs to.
    """

    model_config = ConfigDict(extra="forbid")

    subjects: list[SubjectIn] = Field(
        max_length=50, description="Who the concern is about, and household members mentioned."
    )
    concern_categories: list[str] = Field(
        max_length=20,
        description="One or more codes from the hub's list (by default: physical_abuse, "
        "sexual_abuse, emotional_abuse, neglect, domestic_abuse, child_sexual_exploitation, "
        "child_criminal_exploitation, self_neglect, financial_abuse, modern_slavery, "
        "radicalisation, other).",
        examples=[["neglect", "domestic_abuse"]],
    )
    what_happened: str = Field(
        max_length=100_000,
        description="What you saw or were told, when, and what has been done already.",
    )
    urgency: Urgency = Field(
        description="`immediate`: at risk of significant harm today (if a life is in danger, "
        "call 999 as well); `urgent`: within a working day; `routine`."
    )
    consent: Consent = Field(
        description="Whether the person (or whoever can consent for a child) agreed to this "
        "referral: `given`, `refused`, or `not_sought`."
    )
    consent_not_sought_reason: ConsentNotSoughtReason | None = Field(
        default=None,
        description="Required when consent is `not_sought`, and only then: the DPA 2018 "
        "Schedule 1 paragraph 18(2) reason. `a`: consent cannot be given; `b`: you cannot "
        "reasonably be expected to get it; `c`: seeking it would prejudice the protection "
        "of the child or adult at risk.",
    )


class MessageToReferrer(BaseModel):
    """What the MASH told the referrer: the acknowledgement, then the outcome."""

    kind: str = Field(description="`acknowledgement` or `outcome`.", examples=["outcome"])
    sent_at: dt.datetime
    message: str
    sent_by: str = Field(
        description="`mash`, or `allocated_social_worker` when the contact went to the social "
        "worker of an open case, who sent it.",
        examples=["mash"],
    )


class ContactForReferrer(BaseModel):
    """A contact as its referrer sees it: where it has got to, never the partners' research."""

    reference: str = Field(description="Quote this to the MASH.", examples=["MASH-2026-000123"])
    received_at: dt.datetime
    status: str = Field(examples=["received"])
    status_description: str = Field(examples=["Received: waiting to be screened by the MASH"])
    outcome: str | None = Field(
        default=None, description="The MASH's decision, once made; empty until then."
    )
    messages: list[MessageToReferrer] = Field(
        default_factory=list, description="What the MASH has told you, oldest first."
    )


class FieldProblemOut(BaseModel):
    field: str = Field(
        description="Where the problem is, like `subjects[0].nhs_number`.",
        examples=["subjects[0].nhs_number"],
    )
    message: str = Field(
        examples=["Enter a valid NHS number: 123 456 1234 fails its check digit"],
    )


class ProblemsOut(BaseModel):
    """Why a contact was not accepted: each field's problem in plain words."""

    detail: str = Field(examples=["The contact was not accepted: put right each problem listed"])
    errors: list[FieldProblemOut]
