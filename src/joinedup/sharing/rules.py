"""The vocabulary of governed sharing, and the one policy decision.

Pure: no I/O. `decide` takes plain frozen dataclasses and returns a Decision, so the gate, the
reports and the tests all ask the question the same way. Sources are named beside each rule:
../shared/domain.md ("The law on sharing"), UK GDPR, the Data Protection Act 2018 (DPA 2018)
and the Caldicott principles (National Data Guardian, 2020).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from joinedup.directory.rules import AgencyKind, Role


class DataCategory(enum.StrEnum):
    """What kind of information a record holds; agreements and redaction work by category."""

    DEMOGRAPHICS = "demographics"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    POLICE_INTELLIGENCE = "police_intelligence"
    CRIMINAL_OFFENCE = "criminal_offence"
    EDUCATION = "education"
    SOCIAL_CARE_HISTORY = "social_care_history"
    HOUSING = "housing"
    DOMESTIC_ABUSE = "domestic_abuse"
    SUBSTANCE_MISUSE = "substance_misuse"

    @property
    def label(self) -> str:
        return _CATEGORIES[self][0]

    @property
    def special_category(self) -> bool:
        """Special category data (UK GDPR Art 9(1)): sharing needs an Art 9(2) condition."""
        return _CATEGORIES[self][1]

    @property
    def criminal_offence_data(self) -> bool:
        """Criminal offence data (UK GDPR Art 10): needs a DPA 2018 Schedule 1 condition."""
        return _CATEGORIES[self][2]

    @property
    def needs_schedule_1_condition(self) -> bool:
        # DPA 2018 s10(1)-(3) (Art 9) and s10(5) (Art 10): both need a Schedule 1 condition.
        return self.special_category or self.criminal_offence_data


# label, special category (Art 9), criminal offence data (Art 10)
_CATEGORIES: dict[DataCategory, tuple[str, bool, bool]] = {
    DataCategory.DEMOGRAPHICS: ("Demographics", False, False),
    # "Data concerning health" (Art 4(15)) covers physical and mental health and treatment.
    DataCategory.HEALTH: ("Health", True, False),
    DataCategory.MENTAL_HEALTH: ("Mental health", True, False),
    # DPA 2018 s11(2): Art 10 data includes the alleged commission of offences, which is
    # what intelligence is.
    DataCategory.POLICE_INTELLIGENCE: ("Police intelligence", False, True),
    DataCategory.CRIMINAL_OFFENCE: ("Criminal offences and convictions", False, True),
    DataCategory.EDUCATION: ("Education", False, False),
    DataCategory.SOCIAL_CARE_HISTORY: ("Social care history", False, False),
    DataCategory.HOUSING: ("Housing", False, False),
    # Incidents are usually alleged offences (Domestic Abuse Act 2021); treated as Art 10
    # data, the cautious reading, so an agreement covering it must name its condition.
    DataCategory.DOMESTIC_ABUSE: ("Domestic abuse", False, True),
    # Drug and alcohol treatment is health data.
    DataCategory.SUBSTANCE_MISUSE: ("Substance misuse", True, False),
}


class Purpose(enum.StrEnum):
    SAFEGUARDING_CHILDREN = "safeguarding_children"
    SAFEGUARDING_ADULTS = "safeguarding_adults"
    DOMESTIC_ABUSE_RISK_MANAGEMENT = "domestic_abuse_risk_management"

    @property
    def label(self) -> str:
        return _PURPOSES[self]


_PURPOSES = {
    Purpose.SAFEGUARDING_CHILDREN: "Safeguarding children",
    Purpose.SAFEGUARDING_ADULTS: "Safeguarding adults at risk",
    Purpose.DOMESTIC_ABUSE_RISK_MANAGEMENT: "Domestic abuse risk management (MARAC)",
}


class LawfulBasis(enum.StrEnum):
    """The UK GDPR Art 6(1) bases used for safeguarding (domain.md)."""

    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    # Rarely right: if you would share anyway, asking for consent is unfair (domain.md).
    CONSENT = "consent"

    @property
    def label(self) -> str:
        return _BASES[self]


_BASES = {
    LawfulBasis.PUBLIC_TASK: "UK GDPR Art 6(1)(e): public task",
    LawfulBasis.LEGAL_OBLIGATION: "UK GDPR Art 6(1)(c): legal obligation",
    LawfulBasis.VITAL_INTERESTS: "UK GDPR Art 6(1)(d): vital interests",
    LawfulBasis.CONSENT: "UK GDPR Art 6(1)(a): consent",
}


class Article9Condition(enum.StrEnum):
    """The Art 9(2) conditions for special category data, each with its Schedule 1 condition."""

    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_OR_SOCIAL_CARE = "health_or_social_care"

    @property
    def label(self) -> str:
        return _ART9[self][0]

    @property
    def schedule_1_condition(self) -> str:
        """The DPA 2018 Schedule 1 condition that goes with it, as an agreement names it."""
        return _ART9[self][1]


_ART9 = {
    Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST: (
        "UK GDPR Art 9(2)(g): substantial public interest",
        "DPA 2018 Schedule 1 Part 2 paragraph 18: safeguarding of children and of "
        "individuals at risk",
    ),
    Article9Condition.HEALTH_OR_SOCIAL_CARE: (
        "UK GDPR Art 9(2)(h): health or social care",
        "DPA 2018 Schedule 1 Part 1 paragraph 2: health or social care purposes",
    ),
}


class OnwardSharing(enum.StrEnum):
    """What may happen to information received under an agreement (originator control)."""

    # Met 2011 MASH model: nothing leaves the MASH without the consent of the agency that owns it.
    ORIGINATOR_CONSENT_REQUIRED = "originator_consent_required"
    WITHIN_MASH = "within_mash"
    TO_PARTIES = "to_parties"

    @property
    def label(self) -> str:
        return _ONWARD[self]


_ONWARD = {
    OnwardSharing.ORIGINATOR_CONSENT_REQUIRED: (
        "Only inside the MASH, unless the agency that owns it agrees"
    ),
    OnwardSharing.WITHIN_MASH: "Only inside the MASH",
    OnwardSharing.TO_PARTIES: "To the parties' staff named in the agreement",
}


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"  # by every party's IG lead
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Terms change only in draft; an agreement is signed once every party has signed; only an
# active agreement is relied on; expired is final (a renewal is a new agreement).
ALLOWED_TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.SIGNED, AgreementStatus.EXPIRED}),
    AgreementStatus.SIGNED: frozenset({AgreementStatus.ACTIVE, AgreementStatus.EXPIRED}),
    AgreementStatus.ACTIVE: frozenset({AgreementStatus.SUSPENDED, AgreementStatus.EXPIRED}),
    AgreementStatus.SUSPENDED: frozenset({AgreementStatus.ACTIVE, AgreementStatus.EXPIRED}),
    AgreementStatus.EXPIRED: frozenset(),
}


def can_move(current: AgreementStatus, to: AgreementStatus) -> bool:
    return to in ALLOWED_TRANSITIONS[current]


class ConsentStatus(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_SOUGHT = "not_sought"

    @property
    def label(self) -> str:
        return {"given": "Given", "refused": "Refused", "not_sought": "Not sought"}[self.value]


class Para18Reason(enum.StrEnum):
    """Why information was shared without consent: DPA 2018 Schedule 1 paragraph 18(2)."""

    CANNOT_BE_GIVEN = "cannot_be_given"
    CANNOT_REASONABLY_BE_OBTAINED = "cannot_reasonably_be_obtained"
    WOULD_PREJUDICE_PROTECTION = "would_prejudice_protection"

    @property
    def label(self) -> str:
        return _PARA18[self]


_PARA18 = {
    Para18Reason.CANNOT_BE_GIVEN: "(a) consent cannot be given by the person",
    Para18Reason.CANNOT_REASONABLY_BE_OBTAINED: (
        "(b) we cannot reasonably be expected to obtain consent"
    ),
    Para18Reason.WOULD_PREJUDICE_PROTECTION: (
        "(c) seeking consent would prejudice the protection of the child or adult at risk"
    ),
}


class SharingChoice(enum.StrEnum):
    """A practitioner's recorded decision about a person (golden rule 7)."""

    SHARE = "share"
    DO_NOT_SHARE = "do_not_share"


class Sensitivity(enum.StrEnum):
    """The owning agency's marking on a record."""

    NORMAL = "normal"
    SENSITIVE = "sensitive"  # shared only inside the MASH, whatever an agreement says
    RESTRICTED = "restricted"  # the owner's own staff working the case; others by break-glass


# MASH practitioners research and MASH managers decide; everyone else sees outcomes.
MASH_ROLES = frozenset({Role.MASH_PRACTITIONER, Role.MASH_MANAGER})
# DESIGN invariant 7: a system leader's role reaches no personal data, so it is never granted.
GRANTABLE_ROLES = frozenset(Role) - {Role.SYSTEM_LEADER}
# DPA 2018 s11(1): Art 9(2)(h) sharing is by or under the responsibility of a health or
# social work professional.
CARE_PROFESSION_KINDS = frozenset(
    {kind for kind in AgencyKind if kind.is_health}
    | {AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE}
)

BREAK_GLASS_DEFAULT = timedelta(hours=1)
BREAK_GLASS_SHORTEST = timedelta(minutes=5)
BREAK_GLASS_LONGEST = timedelta(hours=12)
BREAK_GLASS_MIN_JUSTIFICATION = 20
# Break-glass is for people who work cases, not for governance or running the service.
BREAK_GLASS_ROLES = frozenset({Role.REFERRER, Role.MASH_PRACTITIONER, Role.MASH_MANAGER})


# --- The policy decision ----------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """Staff of `agency_id` holding `role` may see `category` from the other parties."""

    agency_id: int
    role: Role
    category: DataCategory


@dataclass(frozen=True)
class AgreementTerms:
    """What the policy needs to know about one agreement (queries.active_terms loads them)."""

    agreement_id: int
    title: str
    purpose: Purpose
    status: AgreementStatus
    starts_on: date
    ends_on: date | None  # None: open-ended, until suspended or replaced
    parties: frozenset[int]  # agency ids
    grants: frozenset[Grant]
    onward_sharing: OnwardSharing = OnwardSharing.ORIGINATOR_CONSENT_REQUIRED
    article_9_condition: Article9Condition | None = None
    schedule_1_condition: str = ""

    def in_force(self, on: date) -> bool:
        """Active, started, and not past its end (whether or not expire_due has run yet)."""
        return (
            self.status is AgreementStatus.ACTIVE
            and self.starts_on <= on
            and (self.ends_on is None or on <= self.ends_on)
        )

    def covers(self, category: DataCategory) -> bool:
        """Some party may see the category, and the agreement names the legal condition for it.

        UK GDPR Art 9(1) and Art 10, DPA 2018 s10: without a condition, no grant is lawful.
        """
        if category.special_category and self.article_9_condition is None:
            return False
        if category.needs_schedule_1_condition and not self.schedule_1_condition.strip():
            return False
        return any(grant.category is category for grant in self.grants)

    def grants_to(self, agency_id: int, roles: Iterable[Role], category: DataCategory) -> bool:
        return any(Grant(agency_id, role, category) in self.grants for role in roles)

    def condition_allows(self, category: DataCategory, recipient_kind: AgencyKind) -> bool:
        # DPA 2018 s11(1): under Art 9(2)(h) only health and social care professionals receive.
        return not (
            category.special_category
            and self.article_9_condition is Article9Condition.HEALTH_OR_SOCIAL_CARE
            and recipient_kind not in CARE_PROFESSION_KINDS
        )

    def allows_beyond_mash(self, owner_allows: bool | None) -> bool:
        """Whether staff without a MASH role may see what a party holds (originator control)."""
        if self.onward_sharing is OnwardSharing.WITHIN_MASH:
            return False
        if self.onward_sharing is OnwardSharing.ORIGINATOR_CONSENT_REQUIRED:
            return owner_allows is True
        return owner_allows is not False  # TO_PARTIES, unless the owner said no for this record


@dataclass(frozen=True)
class AccessRequest:
    """May this actor, for this purpose, see this category of this record, today?"""

    actor_agency_id: int
    actor_agency_kind: AgencyKind
    actor_roles: frozenset[Role]
    purpose: Purpose
    owner_agency_id: int
    category: DataCategory
    on: date
    sensitivity: Sensitivity = Sensitivity.NORMAL
    # Originator control for this record: True the owner agrees it may leave the MASH, False it
    # refused, None it has not said (the agreement's onward-sharing term then decides).
    owner_allows_beyond_mash: bool | None = None
    involved: bool = False  # working a contact or case about this person: need to know
    sharing_decision: SharingChoice | None = None  # the latest recorded for this person
    break_glass: bool = False  # the actor holds an open break-glass grant for this person


class DecisionBasis(enum.StrEnum):
    """The rule a decision rests on: one for each permit, one for each way to be refused."""

    OWN_AGENCY = "own_agency"
    AGREEMENT = "agreement"
    BREAK_GLASS = "break_glass"
    SYSTEM_LEADER = "system_leader"
    NO_ROLE = "no_role"
    NO_AGREEMENT = "no_agreement"
    CATEGORY_NOT_COVERED = "category_not_covered"
    ROLE_NOT_GRANTED = "role_not_granted"
    CARE_PROFESSIONALS_ONLY = "care_professionals_only"
    NOT_INVOLVED = "not_involved"
    RESTRICTED = "restricted"
    DO_NOT_SHARE = "do_not_share"
    ORIGINATOR_CONTROL = "originator_control"


@dataclass(frozen=True)
class Decision:
    permitted: bool
    basis: DecisionBasis
    reason: str  # written for the practitioner: what was withheld and what to do
    agreement_id: int | None = None  # the agreement relied on; never set on a denial
    break_glass: bool = False  # permitted only because of an open break-glass grant
    overridden: DecisionBasis | None = None  # the refusal break-glass set aside

    @property
    def outcome(self) -> str:
        return "permit" if self.permitted else "deny"


def decide(request: AccessRequest, agreements: Sequence[AgreementTerms]) -> Decision:
    """Permit or deny one category of one record to one actor, with the reason and the
    agreement relied on. Deterministic: the order of `agreements` never matters."""
    roles = request.actor_roles - {Role.SYSTEM_LEADER}
    if not roles:
        # DESIGN invariant 7: a system leader's role reaches no personal data; break-glass
        # does not change that (nor does it help someone with no role at all).
        basis = (
            DecisionBasis.SYSTEM_LEADER
            if Role.SYSTEM_LEADER in request.actor_roles
            else DecisionBasis.NO_ROLE
        )
        return _deny(basis, request)
    if request.actor_agency_id == request.owner_agency_id:
        ordinary = _own_agency(request)
    else:
        ordinary = _partner(request, roles, agreements)
    if ordinary.permitted or not request.break_glass:
        return ordinary
    # Break-glass: an emergency (vital interests, UK GDPR Art 6(1)(d) and 9(2)(c)) sets aside
    # every refusal but the one above; it is justified, time-limited and reported to the owner.
    return Decision(
        permitted=True,
        basis=DecisionBasis.BREAK_GLASS,
        reason=(
            f"Shown under break-glass, setting aside {_SET_ASIDE[ordinary.basis]}: your view is "
            "on the record and the agency that holds it is told at once."
        ),
        break_glass=True,
        overridden=ordinary.basis,
    )


def _own_agency(request: AccessRequest) -> Decision:
    # An agency's own staff see its own records; restricted ones only when working the case
    # (Caldicott principle 4, need-to-know access).
    if request.sensitivity is Sensitivity.RESTRICTED and not request.involved:
        return _deny(DecisionBasis.RESTRICTED, request, own=True)
    return Decision(True, DecisionBasis.OWN_AGENCY, "Shown: your agency's own record.")


def _partner(
    request: AccessRequest, roles: frozenset[Role], agreements: Sequence[AgreementTerms]
) -> Decision:
    category = request.category
    both = {request.actor_agency_id, request.owner_agency_id}
    # An agreement is relied on only while active and in date, with both agencies as parties,
    # for this purpose (Caldicott 1, justify the purpose; domain.md, two-tier agreements).
    usable = [
        a
        for a in agreements
        if a.in_force(request.on) and both <= a.parties and a.purpose is request.purpose
    ]
    if not usable:
        return _deny(DecisionBasis.NO_AGREEMENT, request)
    usable = [a for a in usable if a.covers(category)]
    if not usable:
        return _deny(DecisionBasis.CATEGORY_NOT_COVERED, request)
    # The minimum necessary (Caldicott 3): each party's roles see only the categories granted.
    usable = [a for a in usable if a.grants_to(request.actor_agency_id, roles, category)]
    if not usable:
        return _deny(DecisionBasis.ROLE_NOT_GRANTED, request)
    usable = [a for a in usable if a.condition_allows(category, request.actor_agency_kind)]
    if not usable:
        return _deny(DecisionBasis.CARE_PROFESSIONALS_ONLY, request)
    # Caldicott 4: need-to-know access, so only people working this person's contact or case.
    if not request.involved:
        return _deny(DecisionBasis.NOT_INVOLVED, request)
    if request.sensitivity is Sensitivity.RESTRICTED:
        return _deny(DecisionBasis.RESTRICTED, request)
    # Golden rule 7: a recorded decision not to share binds partners. A decision to share
    # licenses nothing by itself: the agreement still decides what each role sees.
    if request.sharing_decision is SharingChoice.DO_NOT_SHARE:
        return _deny(DecisionBasis.DO_NOT_SHARE, request)
    mash_roles = roles & MASH_ROLES
    through_mash = [a for a in usable if a.grants_to(request.actor_agency_id, mash_roles, category)]
    if not through_mash:
        # Originator control (Met 2011): outside the MASH, referrers see outcomes, not
        # partners' research, unless the owner and the agreement's onward terms allow it.
        if request.sensitivity is Sensitivity.SENSITIVE:
            return _deny(DecisionBasis.ORIGINATOR_CONTROL, request, sensitive=True)
        usable = [a for a in usable if a.allows_beyond_mash(request.owner_allows_beyond_mash)]
        if not usable:
            return _deny(DecisionBasis.ORIGINATOR_CONTROL, request)
    chosen = min(through_mash or usable, key=lambda a: a.agreement_id)
    return Decision(
        True, DecisionBasis.AGREEMENT, f"Shown under “{chosen.title}”.", chosen.agreement_id
    )


def _deny(
    basis: DecisionBasis, request: AccessRequest, own: bool = False, sensitive: bool = False
) -> Decision:
    what = request.category.label.lower()
    purpose = request.purpose.label.lower()
    reasons = {
        DecisionBasis.SYSTEM_LEADER: (
            f"Withheld: {what}. A system leader sees aggregates, never a person's records; "
            "if you also work cases, ask your administrator for that role."
        ),
        DecisionBasis.NO_ROLE: (
            f"Withheld: {what}. You hold no role that reaches people's records; "
            "ask your administrator."
        ),
        DecisionBasis.NO_AGREEMENT: (
            f"Withheld: {what}. No active agreement between your agency and the agency that "
            f"holds it covers {purpose}; ask your IG lead."
        ),
        DecisionBasis.CATEGORY_NOT_COVERED: (
            f"Withheld: no agreement covers {what} for {purpose}; ask your IG lead."
        ),
        DecisionBasis.ROLE_NOT_GRANTED: (
            f"Withheld: no agreement covers {what} for your role; ask your IG lead."
        ),
        DecisionBasis.CARE_PROFESSIONALS_ONLY: (
            f"Withheld: {what}. The agreement shares it only with health and social care "
            "professionals (UK GDPR Art 9(2)(h)); ask your IG lead."
        ),
        DecisionBasis.NOT_INVOLVED: (
            f"Withheld: {what}. Records are shared on a need-to-know basis and you are not "
            "working a contact or case about this person; ask the MASH manager to add you, "
            "or use break-glass in an emergency."
        ),
        DecisionBasis.RESTRICTED: (
            f"Withheld: {what}. Your agency restricted this record to staff working this "
            "person's case; ask your manager to add you, or use break-glass in an emergency."
            if own
            else f"Withheld: {what}. The agency that holds it restricted the record to its own "
            "staff; ask its MASH practitioner for what you need, or use break-glass in an "
            "emergency."
        ),
        DecisionBasis.DO_NOT_SHARE: (
            f"Withheld: {what}. A decision not to share this person's information with "
            "partners is on record; ask the practitioner who recorded it, or use break-glass "
            "in an emergency."
        ),
        DecisionBasis.ORIGINATOR_CONTROL: (
            f"Withheld: {what}. The agency that holds it "
            + ("marked it sensitive, so it stays" if sensitive else "keeps it")
            + " inside the MASH; ask the MASH manager for the outcome."
        ),
    }
    return Decision(False, basis, reasons[basis])


# How a break-glass permit names the refusal it set aside.
_SET_ASIDE = {
    DecisionBasis.NO_AGREEMENT: "the lack of an agreement",
    DecisionBasis.CATEGORY_NOT_COVERED: "the agreement's categories",
    DecisionBasis.ROLE_NOT_GRANTED: "your role's grants",
    DecisionBasis.CARE_PROFESSIONALS_ONLY: "the agreement's care-professionals-only condition",
    DecisionBasis.NOT_INVOLVED: "need to know",
    DecisionBasis.RESTRICTED: "the record's restriction",
    DecisionBasis.DO_NOT_SHARE: "a decision not to share",
    DecisionBasis.ORIGINATOR_CONTROL: "the owner's onward-sharing terms",
}
