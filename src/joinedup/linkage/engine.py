"""The one boundary around Splink and its engines: frames in, linkers, scored pairs out.

Everything else in the package speaks in plain Python (rows, rules, pairs); only this module,
spark.py and training.py know Splink's API. Linkers run on DuckDB unless a command runs them
inside `running_on("spark")`: each DuckDB linker makes its own in-memory database, so nothing
is left behind between runs and two runs never share tables. Either engine scores a model
file the same way (`in_dialect`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from joinedup.linkage.spec import ModelSpec, Rule

# Splink reports every step at INFO and untrained levels at WARNING; the commands say what
# matters themselves.
logging.getLogger("splink").setLevel(logging.ERROR)

# The most pairs a comparison count may build from its sample: enough to tell a rule that
# makes millions of pairs from one that makes billions, in about a second.
COUNT_SAMPLE_PAIRS = 2_000_000

ENGINES = ("duckdb", "spark")
# Model files keep Splink's SQL in DuckDB's dialect whichever engine trained them: the online
# matcher and the review queue read them as DuckDB's.
MODEL_DIALECT = "duckdb"

# What makes each linker's database: a fresh in-memory DuckDB unless running_on says otherwise.
_database: ContextVar[Callable[[], DatabaseAPI[Any]]] = ContextVar(
    "linkage_database", default=DuckDBAPI
)


class EngineUnavailable(Exception):
    """The engine asked for cannot run here; the message says what to install."""


@contextmanager
def running_on(name: str) -> Iterator[str]:
    """Linkers made inside run on the named engine, "duckdb" or "spark" (spark.py); gives
    where they run, to tell the operator ("Spark at spark://head:7077")."""
    if name not in ENGINES:
        raise ValueError(f"no engine {name!r}: choose from {', '.join(ENGINES)}")
    if name == "duckdb":
        yield "DuckDB in this process"
        return
    from joinedup.linkage import spark  # pyspark and its JVM only for those who ask

    session = spark.start()
    token = _database.set(partial(spark.database_api, session))
    try:
        yield f"Spark at {session.sparkContext.master}"
    finally:
        _database.reset(token)
        spark.release(session)


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
    db_api = _database.get()()
    if isinstance(settings, SettingsCreator):
        settings = replace(settings, blocking_rules_to_generate_predictions=blocking)
    else:
        settings = in_dialect(settings, frame.spec, db_api.sql_dialect.sql_dialect_str)
        settings = {**settings, "blocking_rules_to_generate_predictions": blocking}
    return Linker(db_api.register(frame.table), settings, log_level=None)


def in_dialect(settings: dict[str, Any], spec: ModelSpec, dialect: str) -> dict[str, Any]:
    """Trained settings with each level's condition in one engine's SQL, the m and u unchanged.

    Splink writes a level's condition in the SQL of the engine that trained it (DuckDB's
    jaro_winkler_similarity is jaro_winkler, a UDF, on Spark); the spec's comparisons write
    the same levels in any engine's. Splink's copy of the blocking rules is left out: a model
    keeps its own, as columns (model_file), and a linker is given them.
    """
    creator = SettingsCreator(link_type="dedupe_only", comparisons=[*spec.comparisons()])
    written = creator.create_settings_dict(dialect)["comparisons"]
    comparisons = []
    for trained, fresh in zip(settings["comparisons"], written, strict=True):
        levels = trained["comparison_levels"]
        if trained["output_column_name"] != fresh["output_column_name"] or len(levels) != len(
            fresh["comparison_levels"]
        ):
            raise ValueError(f"the model's {trained['output_column_name']} is not the spec's")
        conditions = [level["sql_condition"] for level in fresh["comparison_levels"]]
        comparisons.append(
            {
                **trained,
                "comparison_levels": [
                    {**level, "sql_condition": condition}
                    for level, condition in zip(levels, conditions, strict=True)
                ],
            }
        )
    return {
        **settings,
        "sql_dialect": dialect,
        "blocking_rules_to_generate_predictions": [],
        "comparisons": comparisons,
    }


def count_comparisons(frame: Frame, rules: tuple[Rule, ...]) -> list[int]:
    """About how many new pairs each rule adds to the rules before it, from Splink's count.

    The count builds the pairs of a sample of records and scales up; the sample is sized so
    that even a rule that pairs everyone with everyone builds only COUNT_SAMPLE_PAIRS. It runs
    on DuckDB whatever the engine: the frame is in this process's memory anyway, and a sample
    this size takes DuckDB about a second, less than Spark takes to plan its jobs.
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
    # As Arrow columns: Spark hands them over whole, where rows would come one by one.
    columns = predictions.query_sql(
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability FROM {this}"
    ).as_pyarrow_table()  # type: ignore[no-untyped-call]
    return ScoredPairs(
        left=columns.column("unique_id_l").to_pylist(),
        right=columns.column("unique_id_r").to_pylist(),
        match_weight=columns.column("match_weight").to_pylist(),
        match_probability=columns.column("match_probability").to_pylist(),
    )
