"""Who is who across every agency: the trained linkage model, batch linking, and its decisions.

Splink 5 on DuckDB scores pairs of agency records (`spec.py` says what is compared and how
records are blocked; `training.py` trains it; `model_file.py` keeps it under the data
directory). `rules.py` turns scores into decisions by band, with the guard rails, and
`services.py` writes them into the master person index, keeping every change so a merge can
be undone. `evaluation.py` measures the links against a ground truth. Only this package
imports Splink; nothing here imports DuckDB directly (Splink does).
"""
