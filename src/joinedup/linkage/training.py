"""Training the linkage model: the prior, then u by random sampling, then m by EM.

1. The prior (the chance two records drawn at random are one person) from deterministic
   rules: pairs that share an NHS number or UPN are almost all true matches, and they are
   about `prior_recall` of all true matches (measured on the synthetic county: 0.57).
2. u (how often two different people agree at each level) from random pairs, which are
   almost all of different people.
3. m (how often one person's two records agree at each level) by expectation maximisation
   over the pairs of each training rule. A rule's own columns cannot be trained on its pairs
   (they always agree), so the rules are chosen to cover each other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import splink
from splink import SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator

from joinedup import clock
from joinedup.linkage import engine
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import ModelSpec, Rule


class TrainingError(Exception):
    """The records cannot train a model; the message says why and what to do."""


# Fewer records than this cannot estimate anything (and EM would fail on empty blocks).
MIN_RECORDS = 10


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink's settings with every m and u, and how it was made."""

    spec: ModelSpec
    splink_settings: dict[str, Any]
    blocking_rules: tuple[Rule, ...]
    trained_at: datetime
    records: int
    seconds: float
    splink_version: str = splink.__version__
    path: Path | None = None  # the file it was read from or saved to


def train(frame: engine.Frame, config: LinkageSettings) -> LinkageModel:
    """Train the frame's spec on its records. Raises TrainingError for too few records."""
    spec = frame.spec
    if frame.size < MIN_RECORDS:
        raise TrainingError(
            f"There are {frame.size} records to train on: a model needs at least "
            f"{MIN_RECORDS}. Import the agencies' extracts first (`joinedup import people`)."
        )
    started = time.perf_counter()
    comparisons: list[ComparisonCreator | dict[str, Any]] = [*spec.comparisons()]
    creator = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linked = engine.linker(frame, creator, spec.blocking_rules)
    training = linked.training
    try:
        training.estimate_probability_two_random_records_match(
            [block_on(*rule) for rule in spec.prior_rules], recall=config.prior_recall
        )
    except ValueError as error:  # the rules found more matches than the recall allows
        raise TrainingError(
            f"The prior cannot be estimated: {error} Set JOINEDUP_LINKAGE_PRIOR_RECALL higher."
        ) from None
    training.estimate_u_using_random_sampling(max_pairs=config.u_sample_pairs, seed=config.seed)
    for rule in spec.training_rules:
        training.estimate_parameters_using_expectation_maximisation(
            block_on(*rule), estimate_without_term_frequencies=True
        )
    settings = linked.misc.save_model_to_json()
    return LinkageModel(
        spec=spec,
        splink_settings=settings,
        blocking_rules=spec.blocking_rules,
        trained_at=clock.now(),
        records=frame.size,
        seconds=time.perf_counter() - started,
    )
