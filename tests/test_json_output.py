"""--json: every command prints one document that validates against the schema kept in the package
(spec/output.schema.json), asks nothing, and never holds the key except in --print's config."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .helpers import CANARY, CONN, cli
from .receiver import receiver

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))


def _document(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    result = cli([*args, "--json"], env=env)
    document = json.loads(result.stdout)  # the whole of stdout is the one document
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code
    assert CANARY not in result.stderr
    return document


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "analytics").mkdir(parents=True)
    (root / "analytics" / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    return root


@pytest.mark.parametrize("mode", ["--dry-run", "--check", "--yes"])
def test_an_integration_in_every_mode(repo: Path, mode: str) -> None:
    document = _document(["dbt", "--dir", str(repo / "analytics"), *CONN, mode])
    assert CANARY not in json.dumps(document)
    assert {change["path"] for change in document["changes"]} == {"openlineage.yml", ".gitignore"}
    assert document["connection"]["api_key"] == "****"


@pytest.mark.parametrize(
    "args",
    [
        ["dbt", "--print"],
        ["airflow", "--print", "--format", "astro"],
        ["spark", "--print", "--format", "conf"],
        ["databricks", "--print"],
        ["great-expectations", "--print"],
    ],
    ids=lambda a: a[0],
)
def test_print_holds_the_config_and_the_key_only_there(args: list[str]) -> None:
    document = _document([*args, *CONN])
    assert document["exit_code"] == 0 and document["config"]
    without_config = {key: value for key, value in document.items() if key != "config"}
    assert CANARY not in json.dumps(without_config)


def test_init_status_remove_settings(repo: Path, tmp_path: Path) -> None:
    init = _document(["init", "--dir", str(repo), *CONN, "--namespace", "n", "--yes"])
    assert [f["path"] for f in init["found"]] == ["analytics"] and init["exit_code"] == 0
    status = _document(["status", "--dir", str(repo)])
    assert status["status"][0]["problems"] == [] and status["exit_code"] == 0
    removed = _document(["remove", "--dir", str(repo), "--yes"])
    assert {c["action"] for c in removed["changes"]} == {"delete"}
    settings = _document(["settings"], env={"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")})
    assert settings["exit_code"] == 0


def test_verify_and_errors(repo: Path) -> None:
    with receiver() as rx:
        document = _document(["verify", "--url", rx.url, "--namespace", "n", "--api-key", CANARY])
    assert document["exit_code"] == 0 and len(rx.requests) == 2
    failed = _document(["dbt", "--dir", str(repo / "analytics"), "--url", "nope", "--api-key", CANARY])
    assert failed["exit_code"] == 2 and failed["errors"]


def test_json_asks_nothing_even_in_a_terminal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lineage_setup import prompts

    monkeypatch.setattr(prompts, "interactive", lambda no_input, env: not no_input)  # as in a terminal
    document = _document(["dbt", "--dir", str(repo / "analytics"), "--yes"])
    assert document["exit_code"] == 2  # missing answers, not a prompt
    assert "missing" in document["errors"][0]
