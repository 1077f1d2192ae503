"""The same model on Spark: Splink's Spark backend, in local mode, scores and links a small
county exactly as DuckDB does, and says what to install when it cannot start."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.common import Failure
from joinedup.linkage import engine, model_file
from joinedup.linkage.spec import PERSON_SPEC
from tests.linkage_county import LINKAGE_GROUP, trained_county

pytestmark = LINKAGE_GROUP
runner = CliRunner()
# What an operator would give spark-submit: this process's JVM on two cores, no web UI, and a
# JIT that starts sooner (a few hundred records need no more).
SUBMIT_ARGS = (
    "--master local[2] --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
    "--driver-java-options -XX:TieredStopAtLevel=1 pyspark-shell"
)
SPARK = ["--engine", "spark"]


@pytest.fixture(scope="module")
def local_spark() -> Iterator[None]:
    """Spark started once for the module, as PYSPARK_SUBMIT_ARGS says (read as its JVM starts)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", SUBMIT_ARGS)
        with engine.running_on("spark"):
            pass
    yield
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()


def _by_pair(scored: engine.ScoredPairs) -> dict[tuple[int, int], tuple[float, float]]:
    return {
        (left, right): (weight, probability)
        for left, right, weight, probability in zip(
            scored.left, scored.right, scored.match_weight, scored.match_probability, strict=True
        )
    }


@pytest.mark.usefixtures("local_spark")
def test_spark_scores_every_blocked_pair_of_a_county_as_duckdb_does(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    trained = trained_county(tmp_path_factory)
    frame, model = trained.frame, trained.model

    def every_pair() -> engine.ScoredPairs:
        return engine.score(engine.linker(frame, model.splink_settings, model.blocking_rules), 0)

    on_duckdb = _by_pair(every_pair())
    with engine.running_on("spark") as where:
        on_spark = _by_pair(every_pair())

    assert where == "Spark at local[2]"
    assert len(on_duckdb) > 800
    assert on_spark.keys() == on_duckdb.keys()
    for pair, (weight, probability) in on_duckdb.items():
        assert on_spark[pair][0] == pytest.approx(weight, abs=1e-9)
        assert on_spark[pair][1] == pytest.approx(probability, abs=1e-12)


@pytest.mark.usefixtures("local_spark")
def test_link_files_on_spark_writes_the_same_people_as_on_duckdb_from_the_same_model_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    trained = trained_county(tmp_path_factory)
    model_file.save(trained.model, model_file.model_folder(tmp_path))
    files = [str(path) for path in trained.files]
    duckdb_out, spark_out = tmp_path / "duckdb.csv", tmp_path / "spark.csv"

    on_duckdb = runner.invoke(app, ["link", "files", *files, "--out", str(duckdb_out)])
    on_spark = runner.invoke(
        app, ["link", "files", *files, "--out", str(spark_out), "--engine", "spark"]
    )

    assert on_duckdb.exit_code == 0, on_duckdb.output
    assert on_spark.exit_code == 0, on_spark.output
    assert "Splink ran on Spark at local[2]." in on_spark.output
    assert "Splink ran on" not in on_duckdb.output
    assert spark_out.read_text() == duckdb_out.read_text()
    assert len(spark_out.read_text().splitlines()) == trained.frame.size + 1


def test_a_model_trained_on_spark_scores_on_duckdb_as_one_trained_there(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Splink writes a Spark-trained model's levels in Spark's SQL (jaro_winkler, a UDF, for
    # DuckDB's jaro_winkler_similarity); any engine rewrites them in its own from the spec.
    trained = trained_county(tmp_path_factory)
    frame, model = trained.frame, trained.model
    in_spark_sql = engine.in_dialect(model.splink_settings, PERSON_SPEC, "spark")
    first_name_levels = in_spark_sql["comparisons"][0]["comparison_levels"]
    assert "jaro_winkler(`first_name_l`, `first_name_r`) >= 0.88" in [
        level["sql_condition"] for level in first_name_levels
    ]

    as_trained = engine.score(engine.linker(frame, model.splink_settings, model.blocking_rules), 0)
    from_spark = engine.score(engine.linker(frame, in_spark_sql, model.blocking_rules), 0)

    assert _by_pair(from_spark) == _by_pair(as_trained)
    back = engine.in_dialect(in_spark_sql, PERSON_SPEC, "duckdb")
    assert back["comparisons"] == model.splink_settings["comparisons"]


def _refusal(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert isinstance(result.exception, Failure), result.output
    return str(result.exception)


@pytest.fixture
def extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "police.csv"
    path.write_text("record_id,given_name,family_name,date_of_birth\nR1,Ava,Smith,2014-03-27\n")
    return path


def test_the_spark_engine_without_java_says_to_install_it(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(extract.parent / "no-java"))
    out = extract.parent / "clusters.csv"

    message = _refusal(["link", "files", str(extract), "--out", str(out), "--train", *SPARK])

    assert "The Spark engine needs Java, and there is no java in JAVA_HOME" in message
    assert "apt-get install openjdk-17-jre-headless" in message
    assert not out.exists()


def test_the_spark_engine_on_java_11_says_it_needs_17(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    java = extract.parent / "jdk-11" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(java.parent.parent))

    message = _refusal(["link", "files", str(extract), "--out", "out.csv", "--train", *SPARK])

    assert f"needs Java 17 or later, and {java} is Java 11" in message


def test_the_spark_engine_without_pyspark_says_to_install_it(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed

    message = _refusal(["link", "files", str(extract), "--out", "out.csv", "--train", *SPARK])

    assert "The Spark engine needs pyspark, which is not installed here" in message
    assert "make install" in message
