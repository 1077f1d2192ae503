"""The linkage's configuration: thresholds and limits, read from JOINEDUP_LINKAGE_* variables.

Where to draw the lines between "the same person", "ask a person" and "someone else" is a
decision for each hub, not a constant (DESIGN.md: practice is configuration). Thresholds are
match probabilities, the model's estimate that two records are of one person.
"""

from __future__ import annotations

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "JOINEDUP_LINKAGE_"


class LinkageConfigError(Exception):
    """The linkage configuration cannot be used; the message names the variable and the fix."""


class LinkageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    upper_threshold: float = Field(
        default=0.99,
        gt=0,
        lt=1,
        description="At or above: the records are linked into one master person.",
    )
    lower_threshold: float = Field(
        default=0.9,
        gt=0,
        lt=1,
        description="At or above, and below the upper: a review task asks a person to decide.",
    )
    max_comparisons: int = Field(
        default=100_000_000,
        ge=1,
        description="The most record pairs the blocking rules may make before a run is refused.",
    )
    prior_recall: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="The share of true matches that share an NHS number or UPN (training's prior).",
    )
    u_sample_pairs: int = Field(
        default=2_000_000, ge=10_000, description="Random pairs sampled to estimate u values."
    )
    seed: int = Field(default=20261127, description="Makes training repeatable.")

    @model_validator(mode="after")
    def _ordered(self) -> LinkageSettings:
        if self.lower_threshold > self.upper_threshold:
            raise ValueError(
                f"the lower threshold ({self.lower_threshold}) to be at most the upper "
                f"({self.upper_threshold})"
            )
        return self


def load_linkage_settings(**overrides: object) -> LinkageSettings:
    """The configuration from the environment; raises LinkageConfigError saying what to fix."""
    try:
        return LinkageSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            field = str(issue["loc"][0]) if issue["loc"] else ""
            reason = issue["msg"].removeprefix("Value error, ")
            name = f"{ENV_PREFIX}{field.upper()}" if field else "the thresholds"
            problems.append(f"{name}: expected {reason}")
        message = "Linkage configuration problem:\n  " + "\n  ".join(problems)
        raise LinkageConfigError(message) from None
