"""A MASH's practice as validated configuration: ratings and their clocks, windows, vocabularies.

Real areas disagree (Surrey researches Red in 4 hours, Merton in 2), so none of this is a
constant. The defaults come from ../shared/domain.md; a hub changes them with a TOML or JSON
file named by JOINEDUP_PRACTICE_FILE. Each top-level key in the file replaces the default for
that key whole (a file that sets `ratings` lists every rating it wants), so what is in force is
always readable from the file and this module. A bad value stops start-up with a PracticeError
naming the key and what was expected.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from joinedup.clock import (
    NOTTINGHAMSHIRE_COUNTY,
    Counting,
    OpeningHours,
    WorkingCalendar,
    england_holidays,
)

ENV_VAR = "JOINEDUP_PRACTICE_FILE"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_PREFIX = re.compile(r"[A-Z]{2,10}")


class PracticeError(Exception):
    """The practice configuration cannot be used; the message names the key and how to fix it."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DueClock(_Frozen):
    """How long something may take: hours (working or elapsed) or whole working days."""

    amount: float = Field(gt=0, le=10_000, description="hours, or days for working_days")
    counting: Counting

    @model_validator(mode="after")
    def _whole_days(self) -> Self:
        if self.counting is Counting.WORKING_DAYS and self.amount != int(self.amount):
            raise ValueError("a whole number of working days, like 1")
        return self

    def due(self, calendar: WorkingCalendar, start: datetime) -> datetime:
        """When a clock started at start runs out (aware UTC)."""
        return calendar.due(start, self.amount, self.counting)

    def describe(self) -> str:
        """In words: "4 hours, round the clock", "24 working hours", "1 working day"."""
        amount = f"{self.amount:g}"
        if self.counting is Counting.WORKING_DAYS:
            return f"{amount} working day{'' if self.amount == 1 else 's'}"
        plural = "" if self.amount == 1 else "s"
        if self.counting is Counting.WORKING_HOURS:
            return f"{amount} working hour{plural}"
        return f"{amount} hour{plural}, round the clock"


class RatingRule(_Frozen):
    """One rating a MASH manager can give, and the research clock it starts."""

    code: str = Field(description="stored on each rating; never rename one in use")
    label: str = Field(min_length=1, max_length=40)
    research: DueClock | None = Field(
        default=None, description="partner research due within; empty means no research, no clock"
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value)


class Choice(_Frozen):
    """One entry of a list people choose from: a stored code and the words shown."""

    code: str
    label: str = Field(min_length=1, max_length=200)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value)


class EscalationPattern(_Frozen):
    """So many contacts about one person within so many months is an escalating pattern."""

    contacts: int = Field(default=3, ge=2, le=100)
    within_months: int = Field(default=3, ge=1, le=60)


def _check_code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise ValueError("a code of lower-case letters, digits and underscores, like early_help")
    return value


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code=code, label=label) for code, label in pairs)


# domain.md ("Clocks"), from Surrey Police MASH: Red is worked to completion even outside
# opening hours, so its 4 hours run round the clock; Green's 72 hours are elapsed hours.
DEFAULT_RATINGS = (
    RatingRule(
        code="red", label="Red", research=DueClock(amount=4, counting=Counting.ELAPSED_HOURS)
    ),
    RatingRule(
        code="amber", label="Amber", research=DueClock(amount=24, counting=Counting.WORKING_HOURS)
    ),
    RatingRule(
        code="green", label="Green", research=DueClock(amount=72, counting=Counting.ELAPSED_HOURS)
    ),
    # No safeguarding concern: not shared with partners, so no research and no clock.
    RatingRule(code="blue", label="Blue", research=None),
)

DEFAULT_CONCERN_CATEGORIES = _choices(
    ("physical_abuse", "Physical abuse"),
    ("sexual_abuse", "Sexual abuse"),
    ("emotional_abuse", "Emotional abuse"),
    ("neglect", "Neglect"),
    ("domestic_abuse", "Domestic abuse"),
    ("child_sexual_exploitation", "Child sexual exploitation"),
    ("child_criminal_exploitation", "Child criminal exploitation"),
    ("self_neglect", "Self-neglect"),
    ("financial_abuse", "Financial abuse"),
    ("modern_slavery", "Modern slavery"),
    ("radicalisation", "Radicalisation"),
    ("other", "Other"),
)

# domain.md ("The flow of one concern", step 6).
DEFAULT_CHILDREN_OUTCOMES = _choices(
    ("no_further_action", "No further action"),
    ("information_and_advice", "Information and advice"),
    ("universal_services", "Universal services"),
    ("early_help", "Early help"),
    ("child_in_need_assessment", "Child in need assessment (Children Act 1989 s17)"),
    ("strategy_discussion", "Strategy discussion, leading to section 47 enquiries"),
    (
        "immediate_protection",
        "Immediate protection (police protection, Emergency Protection Order)",
    ),
)
DEFAULT_ADULT_OUTCOMES = _choices(
    ("information_and_advice", "Information and advice"),
    ("section_42_enquiry", "Section 42 enquiry (Care Act 2014)"),
    ("other_enquiry", "Other safeguarding enquiry"),
    ("needs_assessment", "Care and support needs assessment"),
    ("no_further_action", "No further action"),
)

DEFAULT_STRATEGY_OUTCOMES = ("strategy_discussion", "immediate_protection", "section_42_enquiry")

# Working Together to Safeguard Children 2023: acknowledge and decide next steps in 1 working day.
_ONE_WORKING_DAY = DueClock(amount=1, counting=Counting.WORKING_DAYS)


class Practice(_Frozen):
    """Everything about how this MASH works that another MASH might do differently."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reference_prefix: str = Field(default="MASH", description="starts every contact reference")
    ratings: tuple[RatingRule, ...] = DEFAULT_RATINGS
    decision_due: DueClock = Field(
        default=_ONE_WORKING_DAY, description="the decision on next steps, from receipt"
    )
    acknowledgement_due: DueClock = Field(
        default=_ONE_WORKING_DAY, description="acknowledging the contact to its referrer"
    )
    outcome_feedback_due: DueClock = Field(
        default=_ONE_WORKING_DAY, description="telling the referrer the outcome, from the decision"
    )
    re_referral_window_months: int = Field(default=12, ge=1, le=120)
    escalation: EscalationPattern = EscalationPattern()
    opening_hours: OpeningHours = NOTTINGHAMSHIRE_COUNTY
    concern_categories: tuple[Choice, ...] = DEFAULT_CONCERN_CATEGORIES
    children_outcomes: tuple[Choice, ...] = DEFAULT_CHILDREN_OUTCOMES
    adult_outcomes: tuple[Choice, ...] = DEFAULT_ADULT_OUTCOMES
    # Outcomes that are (or start with) a strategy discussion: choosing another where harm was
    # indicated needs a recorded reason (Ofsted on Nottinghamshire County, domain.md).
    strategy_outcomes: tuple[str, ...] = DEFAULT_STRATEGY_OUTCOMES

    @field_validator("reference_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _PREFIX.fullmatch(value):
            raise ValueError("2 to 10 capital letters, like MASH")
        return value

    @field_validator("opening_hours", mode="before")
    @classmethod
    def _parse_opening_hours(cls, value: object) -> object:
        if isinstance(value, Mapping):
            if not all(isinstance(v, str) for v in value.values()):
                raise ValueError('each day as text, like mon = "08:30-17:00" or "closed"')
            return OpeningHours.from_config(value)
        return value

    @field_validator("ratings", "concern_categories", "children_outcomes", "adult_outcomes")
    @classmethod
    def _codes_unique(cls, value: tuple[RatingRule | Choice, ...]) -> tuple[Any, ...]:
        # Checked here, not with min_length, which also complains when an entry is wrong.
        if not value:
            raise ValueError("at least one entry")
        codes = [item.code for item in value]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"each code once, but {', '.join(repeated)} is repeated")
        return value

    @model_validator(mode="after")
    def _strategy_outcomes_known(self) -> Self:
        known = {c.code for c in (*self.children_outcomes, *self.adult_outcomes)}
        unknown = [code for code in self.strategy_outcomes if code not in known]
        if unknown:
            raise ValueError(
                f"strategy_outcomes: {', '.join(unknown)} is not in children_outcomes or "
                "adult_outcomes"
            )
        return self

    @functools.cached_property
    def calendar(self) -> WorkingCalendar:
        """Opening hours and England's bank holidays: what every working-time clock counts."""
        return WorkingCalendar(self.opening_hours, england_holidays())

    def rating(self, code: str) -> RatingRule | None:
        return next((rule for rule in self.ratings if rule.code == code), None)

    def rating_label(self, code: str) -> str:
        """The words for a stored rating code, even one this practice no longer uses."""
        rule = self.rating(code)
        return rule.label if rule else code.replace("_", " ").capitalize()

    def outcomes_for(self, kinds: Iterable[str]) -> tuple[Choice, ...]:
        """The outcomes a decision may choose for subjects of these kinds (child, unborn, adult):
        the children's list, the adults' list, or both (codes shared by both listed once)."""
        named = set(kinds)
        lists = []
        if named & {"child", "unborn"}:
            lists.append(self.children_outcomes)
        if "adult" in named:
            lists.append(self.adult_outcomes)
        chosen: dict[str, Choice] = {}
        for outcomes in lists:
            chosen.update({c.code: c for c in outcomes if c.code not in chosen})
        return tuple(chosen.values())

    def outcome_label(self, code: str) -> str:
        for choice in (*self.children_outcomes, *self.adult_outcomes):
            if choice.code == code:
                return choice.label
        return code

    def concern_label(self, code: str) -> str:
        found = next((c for c in self.concern_categories if c.code == code), None)
        return found.label if found else code.replace("_", " ").capitalize()


def load_practice(path: Path | None = None) -> Practice:
    """The defaults, with the file at path (else $JOINEDUP_PRACTICE_FILE, if set) on top.

    Raises PracticeError naming the file, the key and what it expected.
    """
    if path is None:
        named = os.environ.get(ENV_VAR, "").strip()
        if not named:
            return Practice()
        path = Path(named)
    overrides = _read(path)
    try:
        return Practice.model_validate(overrides)
    except ValidationError as error:
        raise PracticeError(_describe(path, error)) from None


@functools.cache
def current_practice() -> Practice:
    """The practice in force, loaded once per process (restart to pick up a changed file)."""
    return load_practice()


def _read(path: Path) -> dict[str, Any]:
    where = f"{ENV_VAR} names {path}"
    if path.suffix not in (".toml", ".json"):
        raise PracticeError(f"{where}: use a .toml or .json file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PracticeError(f"{where}, which does not exist") from None
    except OSError as error:
        raise PracticeError(f"{where}, which cannot be read: {error.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise PracticeError(
            f"{where}, which is not valid {path.suffix[1:].upper()}: {error}"
        ) from None
    if not isinstance(data, dict):
        raise PracticeError(f"{where}: expected keys and values at the top level")
    return data


def _describe(path: Path, error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        key = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]
        ).lstrip(".")
        if problem["type"] == "extra_forbidden":
            problems.append(f"{key}: not a setting; check its spelling against docs/front-door.md")
        else:
            expected = problem["msg"].removeprefix("Value error, ")
            problems.append(f"{key}: expected {expected}")
    return f"{ENV_VAR} {path}: " + "; ".join(problems)
