"""Linking a whole frame of records at once: check the blocking, score, decide by band.

The same for the hub's database (services.run_linkage) and for plain files (files.py): only
where the records come from and where the decisions go differ.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from joinedup.linkage import engine
from joinedup.linkage.rules import Decisions, Pair, Thresholds, decide
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import Rule, describe_rule
from joinedup.linkage.training import LinkageModel


class BlockingRefused(Exception):
    """A blocking rule would make too many pairs; nothing was scored. The message says which."""


@dataclass(frozen=True)
class BatchResult:
    decisions: Decisions
    comparisons: list[int]  # about how many pairs each blocking rule added (Splink's count)
    pairs_scored: int  # pairs at or above the lower threshold
    seconds: float
    # Where the seconds went: "counting" the blocking rules' pairs, "scoring" them in Splink
    # (the pairs at or above the lower threshold brought back), "deciding" them by band.
    phases: dict[str, float]


def check_blocking(frame: engine.Frame, rules: tuple[Rule, ...], limit: int) -> list[int]:
    """Each rule's count of new pairs; raises BlockingRefused if they come to over `limit`."""
    counts = engine.count_comparisons(frame, rules)
    total = sum(counts)
    if total <= limit:
        return counts
    worst = max(range(len(rules)), key=counts.__getitem__)
    raise BlockingRefused(
        f"The blocking rules would compare about {total:,} pairs of records, more than the "
        f"limit of {limit:,} (JOINEDUP_LINKAGE_MAX_COMPARISONS); nothing was linked. The rule "
        f"'{describe_rule(rules[worst])}' alone makes about {counts[worst]:,}: block on more "
        "columns, so that only records that agree on all of them are compared "
        "(e.g. 'family_name + date_of_birth')."
    )


def link_frame(
    frame: engine.Frame,
    model: LinkageModel,
    config: LinkageSettings,
    *,
    decided_same: Iterable[tuple[int, int]] = (),
    decided_apart: Iterable[tuple[int, int]] = (),
) -> BatchResult:
    """Score the frame's pairs with the model and decide them. Raises BlockingRefused."""
    started = time.perf_counter()
    thresholds = Thresholds(upper=config.upper_threshold, lower=config.lower_threshold)
    comparisons = check_blocking(frame, model.blocking_rules, config.max_comparisons)
    counted = time.perf_counter()
    linked = engine.linker(frame, model.splink_settings, model.blocking_rules)
    scored = engine.score(linked, thresholds.lower)
    brought_back = time.perf_counter()
    pairs = [
        Pair(left, right, weight, probability)
        for left, right, weight, probability in zip(
            scored.left, scored.right, scored.match_weight, scored.match_probability, strict=True
        )
    ]
    ids = frame.table.column("unique_id").to_pylist()
    identifier = frame.spec.distinct_identifier
    values = frame.table.column(identifier).to_pylist() if identifier else [None] * len(ids)
    decisions = decide(
        ids,
        pairs,
        thresholds,
        dict(zip(ids, values, strict=True)),
        decided_same=decided_same,
        decided_apart=decided_apart,
    )
    finished = time.perf_counter()
    phases = {
        "counting": counted - started,
        "scoring": brought_back - counted,
        "deciding": finished - brought_back,
    }
    return BatchResult(decisions, comparisons, len(pairs), finished - started, phases)
