"""The recordlinkage toolkit linking the same records as ours, as fairly as we can make it
(benchmarks/linkage_scale.py says how)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.files import read_files
from joinedup.linkage.spec import PERSON_SPEC
from joinedup.synthetic import CountyOptions

from .measure import Meter, figures, read_truth

AS_OF = CountyOptions().as_of  # the day the extracts were taken: no one is born after it


def link_recordlinkage(paths: list[Path], truth_path: Path) -> dict[str, Any]:
    """The recordlinkage toolkit on the same records: Block index, Compare, ECM, components."""
    import numpy as np
    import pandas as pd
    import recordlinkage as rl
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    meter = Meter()
    frame, keys = read_files(paths, AS_OF)
    meter.done("reading")
    records = frame.table.to_pandas().set_index("unique_id")
    records["born"] = pd.to_datetime(records["date_of_birth"], errors="coerce")
    meter.done("preparing")
    indexer = rl.Index()
    for rule in PERSON_SPEC.blocking_rules:
        indexer.add(rl.index.Block(left_on=list(rule)))
    pairs = indexer.index(records)
    meter.done("indexing")
    compare = rl.Compare()
    for column in ("first_name", "first_name_canonical", "family_name"):
        compare.exact(column, column, missing_value=0, label=column)
    for column in ("first_name", "family_name"):
        compare.string(
            column, column, method="jarowinkler", threshold=0.88, label=f"{column}_similar"
        )
    compare.exact("first_name", "family_name", missing_value=0, label="names_swapped")
    compare.exact("family_name", "other_names", missing_value=0, label="former_name")
    compare.exact("other_names", "family_name", missing_value=0, label="former_name_r")
    compare.exact("date_of_birth", "date_of_birth", missing_value=0, label="born")
    compare.date("born", "born", swap_month_day=1.0, swap_months=0.0, label="born_swapped")
    for column in ("postcode", "postcode_sector", "outward_code", "nhs_number", "upn"):
        compare.exact(column, column, missing_value=0, label=column)
    features = compare.compute(pairs, records)
    meter.done("comparing")
    matches = rl.ECMClassifier(binarize=None).fit_predict(features.astype(int))
    meter.done("classifying")
    left = matches.get_level_values(0).to_numpy(dtype=np.int64)
    right = matches.get_level_values(1).to_numpy(dtype=np.int64)
    size = frame.size
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(size, size))
    _, person_of = connected_components(graph, directed=False)
    meter.done("clustering")
    linking = [p for p in meter.phases if p != "reading"]
    truth = read_truth(truth_path)
    predicted = {key: int(person_of[n]) for n, key in enumerate(keys)}
    return {
        "records": size,
        "phases": meter.phases,
        "total": {
            "seconds": round(sum(meter.phases[p]["seconds"] for p in meter.phases), 1),
            "cpu_seconds": round(sum(meter.phases[p]["cpu_seconds"] for p in meter.phases), 1),
        },
        "linking_seconds": round(sum(meter.phases[p]["seconds"] for p in linking), 1),
        **meter.peaks(),
        "pairs_compared": len(pairs),
        "pairs_matched": len(matches),
        **figures(evaluate(predicted, {key: truth[key] for key in keys})),
    }
