"""The `joinedup` command: clear messages and non-zero exits for what goes wrong."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from joinedup.accounts import services as accounts
from joinedup.cli import app
from joinedup.cli.common import Failure, session_on
from joinedup.config import load_settings
from joinedup.db import make_engine

runner = CliRunner()


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty hub database under a temporary data directory."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "joinedup", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_a_bad_setting_names_the_variable_and_exits_without_a_traceback(tmp_path: Path) -> None:
    result = _run(
        "db", "upgrade", env={"JOINEDUP_DATA_DIR": str(tmp_path), "JOINEDUP_PORT": "eighty"}
    )
    assert result.returncode == 2
    assert "JOINEDUP_PORT: expected" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_says_which_and_what_to_check(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _run(
        "db",
        "upgrade",
        env={"JOINEDUP_DATABASE_URL": f"postgresql://joinedup:secret@127.0.0.1:{port}/hub"},
    )
    assert result.returncode == 1
    assert (
        f"Cannot reach the database at postgresql+psycopg://joinedup:***@127.0.0.1:{port}/hub"
        in result.stderr
    )
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_option_is_refused_with_usage(hub: Path) -> None:
    result = runner.invoke(app, ["serve", "--colour", "blue"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_serving_a_database_that_was_never_built_says_how_to_build_it(tmp_path: Path) -> None:
    result = _run("serve", env={"JOINEDUP_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "joinedup db upgrade" in result.stderr


def test_serving_on_a_port_in_use_says_so(hub: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert isinstance(result.exception, Failure)
    assert f"Cannot listen on 127.0.0.1:{port}" in str(result.exception)


def test_an_administrator_builds_the_directory_and_issues_a_token(hub: Path) -> None:
    steps = [
        ["areas", "add", "ASH", "Ashfield"],
        ["agencies", "add", "NOTTS-POLICE", "Nottinghamshire Police", "--kind", "police"],
        [
            "professionals",
            "add",
            "alice@police.example",
            "--given-name",
            "Alice",
            "--family-name",
            "Archer",
            "--agency",
            "NOTTS-POLICE",
            "--role",
            "referrer",
        ],
        ["users", "add", "alice@police.example", "--password", "a long enough password"],
    ]
    for step in steps:
        result = runner.invoke(app, step)
        assert result.exit_code == 0, (step, result.output, result.exception)

    result = runner.invoke(
        app,
        ["tokens", "create", "--user", "alice@police.example", "--name", "Police records system"],
    )
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    engine = make_engine(load_settings().resolved_database_url)
    with session_on(engine) as session:
        actor = accounts.authenticate_api_token(session, raw)
    assert actor is not None and actor.label == "Alice Archer (Nottinghamshire Police)"


def test_a_wrong_agency_kind_lists_the_kinds(hub: Path) -> None:
    result = runner.invoke(app, ["agencies", "add", "X", "Nowhere", "--kind", "spaceport"])
    assert isinstance(result.exception, Failure)
    assert "Agency kind must be one of: police" in str(result.exception)


def test_the_ledger_verifies_after_changes(hub: Path) -> None:
    runner.invoke(app, ["areas", "add", "ASH", "Ashfield"])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "The ledger is intact: 1 entries verified." in result.output


def _commands(
    command: click.Command, path: str = "joinedup"
) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_every_command_explains_itself_in_its_help() -> None:
    for path, command in _commands(typer.main.get_command(app)):
        assert command.help and len(command.help) > 20, f"`{path} --help` says too little"
        result = runner.invoke(app, [*path.split()[1:], "--help"])
        assert result.exit_code == 0, path


def test_the_demo_builds_a_county_once_then_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)

    first = runner.invoke(app, ["demo", "--no-serve", "--people", "500"])
    assert first.exit_code == 0, first.output
    assert "Built the county" in first.output
    password = (tmp_path / "demo-password").read_text().strip()
    assert f"Every demo sign-in uses the password {password}" in first.output
    assert (tmp_path / "county" / "extracts" / "NOTTS-POLICE.csv").exists()

    second = runner.invoke(app, ["demo", "--no-serve", "--people", "500"])
    assert second.exit_code == 0, second.output
    assert "Using the county already built" in second.output
    assert "Built the county" not in second.output


def test_the_demo_refuses_an_impossible_county_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo", "--no-serve", "--people", "5"])
    assert isinstance(result.exception, Failure)
    assert "people must be at least 100" in str(result.exception)


def test_a_bad_practice_file_stops_the_hub_starting(
    hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    practice = tmp_path / "practice.toml"
    practice.write_text('re_referral_window_months = "a year"\n')
    monkeypatch.setenv("JOINEDUP_PRACTICE_FILE", str(practice))
    from joinedup.frontdoor.practice import current_practice

    current_practice.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--port", "1"])
    finally:
        current_practice.cache_clear()
    assert isinstance(result.exception, Failure)
    assert "re_referral_window_months" in str(result.exception)
