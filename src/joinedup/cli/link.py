"""`joinedup link`: train the linkage model, link every record, measure it, link plain files.

Each command imports the linkage package itself: Splink, DuckDB and Arrow take seconds to
import, and the hub's other commands do not need them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from joinedup import clock
from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings

if TYPE_CHECKING:
    from joinedup.linkage import engine
    from joinedup.linkage.evaluation import Evaluation
    from joinedup.linkage.settings import LinkageSettings
    from joinedup.linkage.spec import Rule
    from joinedup.linkage.training import LinkageModel

app = typer.Typer(
    help="Link agency records into master persons with the trained model.",
    no_args_is_help=True,
)

LABEL_COLUMNS = (
    "source_l",
    "record_id_l",
    "source_r",
    "record_id_r",
    "same",
    "decided_by",
    "decided_at",
)
BLOCK_ON_HELP = (
    "A blocking rule to use instead of the model's: columns joined by '+', like "
    "'family_name + date_of_birth'. Repeat for several."
)


class LinkageEngine(StrEnum):
    """Where Splink runs: DuckDB in this process, or Spark (docs/deployment.md)."""

    DUCKDB = "duckdb"
    SPARK = "spark"


ENGINE_HELP = (
    "Where Splink runs: duckdb, in this process; or spark, on the cluster that spark-submit, "
    "PYSPARK_SUBMIT_ARGS or spark-defaults.conf names (on this machine's cores without one)."
)


@app.command("train")
def train_model(
    block_on: list[str] = typer.Option([], "--block-on", help=BLOCK_ON_HELP),
    engine_name: LinkageEngine = typer.Option(LinkageEngine.DUCKDB, "--engine", help=ENGINE_HELP),
) -> None:
    """Train the model on every agency record in the hub and save it as the next version.

    The prior comes from records that share an NHS number or UPN, u from random pairs, and m
    by expectation maximisation. The model is kept under the data directory.
    """
    from joinedup.linkage import engine, model_file
    from joinedup.linkage.queries import records_to_link
    from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
    from joinedup.linkage.training import TrainingError, train

    config, linkage = settings(), _linkage_settings()
    rules = _rules(block_on) or PERSON_SPEC.blocking_rules
    with session_on(current_engine(config)) as session:
        rows = records_to_link(session)
    frame = engine.frame(PERSON_SPEC, (person_frame_row(row["id"], row) for row in rows))
    _check(frame, rules, linkage)
    with _running_on(engine_name) as where:
        try:
            model = train(frame, linkage)
        except TrainingError as error:
            raise Failure(str(error)) from None
    # Saved in DuckDB's SQL whichever engine trained it, so every engine and reader can use it.
    portable = engine.in_dialect(model.splink_settings, model.spec, engine.MODEL_DIALECT)
    model = model_file.with_blocking_rules(replace(model, splink_settings=portable), rules)
    path = model_file.save(model, model_file.model_folder(config.data_dir))
    console.print(
        f"Trained the linkage model on {model.records:,} agency records in "
        f"{model.seconds:.1f}s and saved it as {path}.",
        highlight=False,
        soft_wrap=True,
    )
    prior = model.splink_settings["probability_two_random_records_match"]
    console.print(f"  Two records drawn at random are one person with probability {prior:.3g}.")
    _say_where(where)
    console.print("  Link every record with it: joinedup link run", highlight=False)


@app.command("run")
def run(
    model: Path | None = typer.Option(
        None, "--model", help="A model file [default: the newest under the data directory]"
    ),
    block_on: list[str] = typer.Option([], "--block-on", help=BLOCK_ON_HELP),
    engine_name: LinkageEngine = typer.Option(LinkageEngine.DUCKDB, "--engine", help=ENGINE_HELP),
) -> None:
    """Link every agency record into master persons, by band.

    At or above the upper threshold records are linked; between the thresholds a review task
    asks a person; below, they stay apart. Two different NHS numbers never link automatically.
    """
    from joinedup.linkage import model_file
    from joinedup.linkage.batch import BlockingRefused
    from joinedup.linkage.services import LinkageError, run_linkage

    config, linkage = settings(), _linkage_settings()
    rules = _rules(block_on)
    found = _model(config.data_dir, model)
    if rules:
        found = model_file.with_blocking_rules(found, rules)
    with _running_on(engine_name) as where, session_on(current_engine(config)) as session:
        try:
            report = run_linkage(session, Actor.system("joinedup link run"), found, linkage)
        except (BlockingRefused, LinkageError) as error:
            raise Failure(str(error)) from None
    batch = report.batch
    _say(
        f"Linked {report.records:,} agency records into {report.people:,} people in "
        f"{batch.seconds:.1f}s with {found.path.name if found.path else 'the model'} "
        f"(run {report.run_id})."
    )
    _say(
        f"  {sum(batch.comparisons):,} pairs compared; {batch.pairs_scored:,} scored at least "
        f"{linkage.lower_threshold}"
    )
    _say(f"  {batch.decisions.linked_pairs:,} pairs linked (at least {linkage.upper_threshold})")
    _say(f"  {report.records_moved:,} records moved to another master person")
    _say(f"  {report.merges:,} master persons merged into others (each can be undone)")
    _say(f"  {report.new_people:,} new master persons")
    _say(f"  {report.open_review_tasks:,} pairs waiting for review")
    _say_where(where)


@app.command("evaluate")
def evaluate_links(
    truth: Path | None = typer.Option(
        None,
        "--truth",
        help="A CSV of source,record_id,person_id [default: the demo county's "
        "truth/records.csv under the data directory]",
    ),
) -> None:
    """Compare the links with a ground truth (pairwise precision, recall and F1, and clusters)
    and with reviewers' answers, the pairs people decided."""
    from joinedup.linkage.evaluation import EvaluationError, against_labels, evaluate
    from joinedup.linkage.queries import linked_records, open_review_tasks
    from joinedup.linkage.review.queries import review_labels

    config = settings()
    path = truth or config.data_dir / "county" / "truth" / "records.csv"
    with session_on(current_engine(config)) as session:
        linked = linked_records(session)
        waiting = open_review_tasks(session)
        labels = review_labels(session)
    known = _read_truth(path) if truth or path.exists() or not labels else None
    if known is not None:
        try:
            result = evaluate(linked, known)
        except EvaluationError as error:
            raise Failure(
                f"The links and {path} do not cover the same records: {error}. Evaluate "
                "against the truth of the extracts that were imported."
            ) from None
        _print_evaluation(result)
        _say(f"  {waiting:,} pairs waiting for review (counted as not linked)")
    else:
        _say(f"There is no truth file at {path}: comparing with reviewers' answers only.")
    if labels:
        pairs = [(label.left, label.right, label.same) for label in labels]
        by_links = against_labels(linked, pairs)
        _say(
            f"Reviewers' answers: {by_links.labels:,} pairs ({by_links.same:,} the same "
            f"person, {by_links.apart:,} not); the links agree with {by_links.agreeing:,}."
        )
        if known is not None:
            by_truth = against_labels(known, pairs)
            _say(f"  The truth agrees with {by_truth.agreeing:,} of the reviewers' answers.")


@app.command("labels")
def labels(
    out: Path = typer.Option(..., "--out", help="Where to write the decided pairs (CSV)"),
) -> None:
    """Write every pair a reviewer decided, as labels for measuring the linkage elsewhere.

    Columns: source_l,record_id_l,source_r,record_id_r,same (1 or 0),decided_by,decided_at;
    a source is the agency's code.
    """
    from joinedup.linkage.review.queries import review_labels

    with session_on(current_engine(settings())) as session:
        decided = review_labels(session)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LABEL_COLUMNS)
        for label in decided:
            writer.writerow(
                (*label.left, *label.right, int(label.same), label.decided_by, label.decided_at)
            )
    _say(f"Wrote {len(decided):,} decided pairs to {out}.")


@app.command("households")
def households(
    truth: Path | None = typer.Option(
        None,
        "--truth",
        help="The synthetic county's truth folder, to measure the households against "
        "[default: county/truth under the data directory, if there]",
    ),
) -> None:
    """Put every master person in a household, with their place in it.

    People live where most of their records say; those sharing an address live together (a
    care home or hostel aside), and an agency's household reference places someone with no
    address. Places (parent, child, partner, sibling, other adult) come from ages. Changes keep
    history: a member who leaves keeps the membership, with the day it ended.
    """
    from joinedup.linkage.households.services import form_households
    from joinedup.linkage.queries import linked_records

    config = settings()
    folder = truth or config.data_dir / "county" / "truth"
    with session_on(current_engine(config)) as session:
        report = form_households(session, Actor.system("joinedup link households"))
        linked = linked_records(session) if (folder / "people.csv").exists() else {}
    _say(
        f"{report.people:,} people in {report.households:,} households: {report.joined:,} "
        f"memberships started, {report.left:,} ended, {report.new_households:,} new households."
    )
    if truth is not None and not (folder / "people.csv").exists():
        raise Failure(f"There is no people.csv in {folder}: give the county's truth folder.")
    if linked:
        result = _households_against_truth(folder, linked, report.households_of)
        _say(
            f"Living together, over pairs of people: precision {result.precision:.4f}, "
            f"recall {result.recall:.4f}, F1 {result.f1:.4f} ({result.true_people:,} real "
            f"households, {result.people_exactly_right:,} exactly right)."
        )


@app.command("files")
def files(
    paths: list[Path] = typer.Argument(..., help="Extract files in the people-import schema"),
    out: Path = typer.Option(..., "--out", help="Where to write source,record_id,person_id"),
    model: Path | None = typer.Option(
        None, "--model", help="A model file [default: the newest under the data directory]"
    ),
    train_here: bool = typer.Option(
        False, "--train", help="Train a model on these files instead (it is not saved)"
    ),
    engine_name: LinkageEngine = typer.Option(LinkageEngine.DUCKDB, "--engine", help=ENGINE_HELP),
) -> None:
    """Link extract files without the hub's database, writing a person id for every row.

    Rows of one person get the same id; every input row is in the output, in input order.
    """
    from joinedup.linkage.batch import BlockingRefused
    from joinedup.linkage.files import FileRejected, link_files, write_clusters
    from joinedup.linkage.training import TrainingError

    config, linkage = settings(), _linkage_settings()
    for path in paths:
        if not path.is_file():
            raise Failure(f"There is no file at {path}")
    found = None if train_here else _model(config.data_dir, model)
    today = clock.now().astimezone(clock.LONDON).date()
    try:
        with _running_on(engine_name) as where:
            result = link_files(paths, found, linkage, today)
    except FileRejected as rejected:
        for problem in rejected.rejected.problems[:10]:
            _say(f"  {rejected.path.name}: {problem}")
        raise Failure(
            f"{rejected.path.name} is not a valid extract ({rejected.rejected.total:,} "
            "problems); nothing was linked. Put the problems right and run it again."
        ) from None
    except (BlockingRefused, TrainingError) as error:
        raise Failure(str(error)) from None
    write_clusters(result.rows, out)
    _say(
        f"Linked {len(result.rows):,} rows from {len(paths)} files into {result.people:,} "
        f"people in {result.batch.seconds:.1f}s; wrote {out}."
    )
    if result.batch.decisions.reviews:
        _say(
            f"  {len(result.batch.decisions.reviews):,} pairs were uncertain and left apart "
            "(import the files into the hub to review them)."
        )
    _say_where(where)


@app.command("undo-merge")
def undo(merge_id: int = typer.Argument(..., help="The merge's number")) -> None:
    """Undo a merge: the merged master person gets back the records it had, and stays apart."""
    from joinedup.linkage.services import LinkageError, undo_merge

    with session_on(current_engine(settings())) as session:
        try:
            moved = undo_merge(session, Actor.system("joinedup link undo-merge"), merge_id)
        except LinkageError as error:
            raise Failure(str(error)) from None
    _say(f"Undid merge {merge_id}: {moved:,} records moved back.")


@contextmanager
def _running_on(name: LinkageEngine) -> Iterator[str | None]:
    """Splink runs on the named engine inside; gives where, to say so (None for DuckDB)."""
    from joinedup.linkage.engine import EngineUnavailable, running_on

    try:
        with running_on(name.value) as where:
            yield None if name is LinkageEngine.DUCKDB else where
    except EngineUnavailable as error:
        raise Failure(str(error)) from None


def _say_where(where: str | None) -> None:
    if where:
        _say(f"  Splink ran on {where}.")


def _linkage_settings() -> LinkageSettings:
    from joinedup.linkage.settings import LinkageConfigError, load_linkage_settings

    try:
        return load_linkage_settings()
    except LinkageConfigError as error:
        raise Failure(str(error), exit_code=2) from None


def _model(data_dir: Path, path: Path | None) -> LinkageModel:
    from joinedup.linkage import model_file
    from joinedup.linkage.spec import PERSON_SPEC

    try:
        chosen = path or model_file.latest(model_file.model_folder(data_dir), PERSON_SPEC)
        return model_file.load(chosen, PERSON_SPEC)
    except model_file.ModelFileError as error:
        raise Failure(str(error)) from None


def _rules(texts: list[str]) -> tuple[Rule, ...]:
    from joinedup.linkage.spec import PERSON_SPEC, parse_rule

    try:
        return tuple(parse_rule(text, PERSON_SPEC.columns) for text in texts)
    except ValueError as error:
        raise Failure(f"Cannot use {error}.", exit_code=2) from None


def _check(frame: engine.Frame, rules: tuple[Rule, ...], linkage: LinkageSettings) -> None:
    from joinedup.linkage.batch import BlockingRefused, check_blocking

    try:
        check_blocking(frame, rules, linkage.max_comparisons)
    except BlockingRefused as error:
        raise Failure(str(error)) from None


def _read_truth(path: Path) -> dict[tuple[str, str], str]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"source", "record_id", "person_id"} <= set(reader.fieldnames or ()):
                raise Failure(f"{path} needs the columns source, record_id and person_id.")
            return {(row["source"], row["record_id"]): row["person_id"] for row in reader}
    except FileNotFoundError:
        raise Failure(
            f"There is no truth file at {path}: give one with --truth, or build the demo "
            "county (`joinedup demo`), which writes its truth there."
        ) from None


def _print_evaluation(result: Evaluation) -> None:
    _say(
        f"Pairwise: precision {result.precision:.4f}, recall {result.recall:.4f}, "
        f"F1 {result.f1:.4f} ({result.correct_pairs:,} of {result.predicted_pairs:,} linked "
        f"pairs are right; {result.true_pairs:,} true pairs)."
    )
    _say(
        f"People: {result.true_people:,} real people, {result.predicted_people:,} master "
        f"persons; {result.people_exactly_right:,} real people exactly right "
        f"({result.people_exactly_right / max(result.true_people, 1):.2%}), "
        f"{result.people_split:,} split over several master persons, "
        f"{result.predicted_people_mixed:,} master persons mixing two or more real people."
    )


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _households_against_truth(
    folder: Path, linked: dict[tuple[str, str], int | None], household_of: dict[int, int]
) -> Evaluation:
    """Households against the county's, over one record of each real person (so each pair is
    two people, not one person's two records)."""
    from joinedup.linkage.evaluation import evaluate

    with (folder / "people.csv").open(encoding="utf-8", newline="") as handle:
        home = {row["person_id"]: row["household_id"] for row in csv.DictReader(handle)}
    predicted: dict[tuple[str, str], int] = {}
    real: dict[tuple[str, str], str] = {}
    seen: set[str] = set()
    for key, person in _read_truth(folder / "records.csv").items():
        master = linked.get(key)
        if person in seen or master is None or master not in household_of:
            continue
        seen.add(person)
        predicted[key], real[key] = household_of[master], home[person]
    return evaluate(predicted, real)
