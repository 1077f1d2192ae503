"""The one boundary around Splink and its DuckDB engine: frames in, linkers, scored pairs out.

Everything else in the package speaks in plain Python (rows, rules, pairs); only this module
and training.py know Splink's API. Each call makes its own in-memory DuckDB, so nothing is
left behind between runs and two runs never share tables.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.splink_dataframe import SplinkDataFrame

from joinedup.linkage.spec import ModelSpec, Rule

# Splink reports every step at INFO and untrained levels at WARNING; the commands say what
# matters themselves.
logging.getLogger("splink").setLevel(logging.ERROR)

# The most pairs a comparison count may build from its sample: enough to tell a rule that
# makes millions of pairs from one that makes billions, in about a second.
COUNT_SAMPLE_PAIRS = 2_000_000


@dataclass(frozen=True)
class Frame:
    """Records as Splink reads them: an integer unique_id and the spec's text columns."""

    spec: ModelSpec
    table: pa.Table

    @property
    def size(self) -> int:
        return int(self.table.num_rows)


@dataclass(frozen=True)
class ScoredPairs:
    """Pairs of records at or above the scoring threshold, column by column (ids ascending)."""

    left: list[int]
    right: list[int]
    match_weight: list[float]
    match_probability: list[float]

    def __len__(self) -> int:
        return len(self.left)


def frame(spec: ModelSpec, rows: Iterable[dict[str, Any]]) -> Frame:
    """A frame of rows keyed by "unique_id" and the spec's columns (None for not known)."""
    fields = [pa.field("unique_id", pa.int64())] + [pa.field(c, pa.string()) for c in spec.columns]
    schema = pa.schema(fields)
    return Frame(spec, pa.Table.from_pylist(list(rows), schema=schema))


def linker(
    frame: Frame, settings: SettingsCreator | dict[str, Any], rules: Iterable[Rule] = ()
) -> Linker:
    """A Splink linker over the frame, with the model's settings and these blocking rules."""
    blocking: list[BlockingRuleCreator | dict[str, Any]] = [block_on(*rule) for rule in rules]
    if isinstance(settings, SettingsCreator):
        settings = replace(settings, blocking_rules_to_generate_predictions=blocking)
    else:
        settings = {**settings, "blocking_rules_to_generate_predictions": blocking}
    db_api = DuckDBAPI()
    return Linker(db_api.register(frame.table), settings, log_level=None)


def count_comparisons(frame: Frame, rules: tuple[Rule, ...]) -> list[int]:
    """About how many new pairs each rule adds to the rules before it, from Splink's count.

    The count builds the pairs of a sample of records and scales up; the sample is sized so
    that even a rule that pairs everyone with everyone builds only COUNT_SAMPLE_PAIRS.
    """
    if frame.size < 2:
        return [0 for _ in rules]
    proportion = min(1.0, (2 * COUNT_SAMPLE_PAIRS) ** 0.5 / frame.size)
    db_api = DuckDBAPI()
    with warnings.catch_warnings():
        # A good rule gives few sampled pairs, and Splink warns the estimate is rough: rough
        # is enough to tell a rule that makes millions of pairs from one that makes billions.
        warnings.simplefilter("ignore", UserWarning)
        counts = count_comparisons_from_blocking_rules(
            db_api.register(frame.table),
            blocking_rules=[block_on(*rule) for rule in rules],
            link_type="dedupe_only",
            record_sample_proportion=proportion,
        )
    return [int(count["marginal_comparison_count"]) for count in counts]


def score(linked: Linker, threshold: float) -> ScoredPairs:
    """Every blocked pair whose match probability is at least `threshold`."""
    predictions: SplinkDataFrame = linked.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    columns = predictions.query_sql(
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability FROM {this}"
    ).as_dict()
    return ScoredPairs(
        left=columns["unique_id_l"],
        right=columns["unique_id_r"],
        match_weight=columns["match_weight"],
        match_probability=columns["match_probability"],
    )
