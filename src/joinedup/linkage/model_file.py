"""The trained model on disk: one versioned JSON file per training, under the data directory.

`joinedup link train` writes `<data dir>/linkage/person-model-0001.json`, then -0002, and so
on; the newest is the one in force, and the older ones stay so a run can be explained later
by the model that made it. A file that cannot be read, or was trained for another spec
version or format, is refused with the command that trains a new one: scoring with levels a
model was not trained on would give confident nonsense.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from joinedup.linkage.spec import ModelSpec, Rule
from joinedup.linkage.training import LinkageModel

FORMAT = "joinedup-linkage-model"
FORMAT_VERSION = 1
FOLDER = "linkage"
RETRAIN = "Train a new one with `joinedup link train`."
_NAME = re.compile(r"(?P<spec>[a-z]+)-model-(?P<number>[0-9]{4,})\.json")


class ModelFileError(Exception):
    """The model file is missing, unreadable or incompatible; the message says how to retrain."""


def model_folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def save(model: LinkageModel, folder: Path) -> Path:
    """Write the model as the next numbered file in folder; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [number for number, _ in _model_files(folder, model.spec.name)]
    path = folder / f"{model.spec.name}-model-{max(numbers, default=0) + 1:04d}.json"
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "spec": model.spec.name,
        "spec_version": model.spec.version,
        "splink_version": model.splink_version,
        "trained_at": model.trained_at.isoformat(),
        "records": model.records,
        "seconds": round(model.seconds, 3),
        "blocking_rules": [list(rule) for rule in model.blocking_rules],
        "splink_settings": model.splink_settings,
    }
    # Written whole, then renamed: a run never reads a half-written model.
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return path


def latest(folder: Path, spec: ModelSpec) -> Path:
    """The newest model file for spec in folder. Raises ModelFileError when there is none."""
    files = _model_files(folder, spec.name)
    if not files:
        raise ModelFileError(f"No linkage model has been trained yet (in {folder}). {RETRAIN}")
    return max(files)[1]


def load(path: Path, spec: ModelSpec) -> LinkageModel:
    """The model in the file. Raises ModelFileError saying what is wrong and how to retrain."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"There is no model file at {path}. {RETRAIN}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"The model file {path} cannot be read ({error}). {RETRAIN}") from None
    problem = _incompatibility(document, spec)
    if problem:
        raise ModelFileError(f"The model file {path} cannot be used: {problem}. {RETRAIN}")
    try:
        return LinkageModel(
            spec=spec,
            splink_settings=document["splink_settings"],
            blocking_rules=tuple(tuple(rule) for rule in document["blocking_rules"]),
            trained_at=datetime.fromisoformat(document["trained_at"]),
            records=int(document["records"]),
            seconds=float(document["seconds"]),
            splink_version=str(document["splink_version"]),
            path=path,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"The model file {path} is damaged ({type(error).__name__}: {error}). {RETRAIN}"
        ) from None


def with_blocking_rules(model: LinkageModel, rules: tuple[Rule, ...]) -> LinkageModel:
    """The same model blocking on other rules (for one run: the file is unchanged)."""
    return replace(model, blocking_rules=rules)


def _incompatibility(document: Any, spec: ModelSpec) -> str | None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return "it is not a joinedup linkage model"
    if document.get("format_version") != FORMAT_VERSION:
        return (
            f"it is in format version {document.get('format_version')}, "
            f"and this joinedup reads version {FORMAT_VERSION}"
        )
    if document.get("spec") != spec.name or document.get("spec_version") != spec.version:
        return (
            f"it was trained for the {document.get('spec')} model version "
            f"{document.get('spec_version')}, and this joinedup compares records with the "
            f"{spec.name} model version {spec.version}"
        )
    settings = document.get("splink_settings")
    comparisons = settings.get("comparisons") if isinstance(settings, dict) else None
    if not isinstance(comparisons, list):
        return "it holds no comparisons"
    rules = document.get("blocking_rules")
    if not isinstance(rules, list) or not all(
        isinstance(rule, list) and rule and set(rule) <= set(spec.columns) for rule in rules
    ):
        return "its blocking rules name columns the model does not have"
    return None


def _model_files(folder: Path, spec_name: str) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match and match["spec"] == spec_name:
            found.append((int(match["number"]), path))
    return found
