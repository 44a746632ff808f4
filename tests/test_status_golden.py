"""`status` on three repositories, its text and its --json compared with stored golden files.

Each case is tests/status_golden/<case>/: `before/` is the repository as committed (dotfiles stored as
`dot-<name>`, as in tests/golden/), SETUP below is what happens to it before `status` runs (a commit, modes,
lineage-setup itself), and `expected.txt` / `expected.json` are what `status --dir <repo>` prints, with the
temporary folder written as {root} (the repository) and {tmp} (around it, e.g. HOME).

- configured: set up by `lineage-setup init`: plain Airflow 2.9 with a dbt project in its dags (one pipeline,
  one namespace) and an Astro Runtime 9.2.0 project (its own lineage kept, ours added). Exit 0.
- half-configured: dbt set up (`lineage-setup dbt`), a GE 0.x project whose checkpoint has no OpenLineage
  action, a plain Airflow project never set up. Exit 1.
- broken: OPENLINEAGE_DISABLED=true in an Airflow .env, an API key in a file git tracks (and others can read),
  a namespace that differs from the Airflow project's around it, Astro's own transport replaced by
  AIRFLOW__OPENLINEAGE__TRANSPORT on Runtime 9.2.0. Exit 1.

The cases are not under tests/golden/: its loader (golden_cases.py) takes every folder there for an integration.

To write the golden files again (after a deliberate change of `status`), run
    LINEAGE_SETUP_REGOLD=1 python -m pytest -p no:cacheprovider tests/test_status_golden.py
then read every changed file before committing it: it must say what is true of the repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .helpers import CANARY, CONN, cli, copy_golden, git

CASES = Path(__file__).parent / "status_golden"
# read at import: the autouse fixture in conftest.py clears LINEAGE_SETUP_* before each test runs
REGOLD = os.environ.get("LINEAGE_SETUP_REGOLD") == "1"
SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))


def _commit(root: Path) -> None:
    git(root, "init", "-q", ".")
    git(root, "add", ".")  # what each .gitignore lists stays out, as in a real repository
    git(root, "commit", "-q", "-m", "before")


def _ok(args: list[str]) -> None:
    result = cli(args)
    assert result.exit_code == 0, result.output


def _configured(root: Path) -> None:
    (root / "astro" / ".env").chmod(0o600)  # it will hold the key: readable by its owner only
    _commit(root)
    _ok(["init", "--dir", str(root), *CONN, "--yes"])


def _half_configured(root: Path) -> None:
    _commit(root)
    _ok(["dbt", "--dir", str(root / "analytics"), *CONN, "--yes"])


def _broken(root: Path) -> None:
    for env_file in ("astro/.env", "pipeline/.env"):
        (root / env_file).chmod(0o600)
    _commit(root)  # commits pipeline/dags/jaffle/openlineage.yml, key and all (mode 0644)


SETUP: dict[str, tuple[Callable[[Path], None], int]] = {
    "configured": (_configured, 0),
    "half-configured": (_half_configured, 1),
    "broken": (_broken, 1),
}


@pytest.fixture(autouse=True)
def _no_tool_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """status reads the environment as the tools would: none of the developer's Airflow or Spark settings."""
    for name in list(os.environ):
        if name.startswith("AIRFLOW") or name in {"SPARK_CONF_DIR", "SPARK_HOME"}:
            monkeypatch.delenv(name)


def _repository(case: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    copy_golden(CASES / case / "before", root)
    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(0o644)  # the same modes whatever the checkout's umask; SETUP narrows some
    SETUP[case][0](root)
    return root


def _normalise(text: str, root: Path, tmp_path: Path) -> str:
    for path, name in ((root, "{root}"), (tmp_path, "{tmp}")):
        text = text.replace(str(path.resolve()), name).replace(str(path), name)
    return text


def _normalised(value: Any, root: Path, tmp_path: Path) -> Any:
    if isinstance(value, str):
        return _normalise(value, root, tmp_path)
    if isinstance(value, list):
        return [_normalised(item, root, tmp_path) for item in value]
    if isinstance(value, dict):
        return {key: _normalised(item, root, tmp_path) for key, item in value.items()}
    return value


def _compare(expected: Path, actual: str) -> None:
    if REGOLD:
        expected.write_text(actual, encoding="utf-8")
        pytest.fail(f"rewrote {expected.name}: read the diff, then run again without LINEAGE_SETUP_REGOLD")
    assert expected.exists(), f"no {expected}: write it with LINEAGE_SETUP_REGOLD=1, then read it"
    assert actual == expected.read_text(encoding="utf-8")


def test_the_cases_are_the_stored_ones() -> None:
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(SETUP)
    for case in SETUP:
        assert {p.name for p in (CASES / case).iterdir()} == {"before", "expected.txt", "expected.json"}, case


@pytest.mark.parametrize("case", sorted(SETUP))
def test_status_text(case: str, tmp_path: Path) -> None:
    root = _repository(case, tmp_path)
    result = cli(["status", "--dir", str(root)])
    assert result.exit_code == SETUP[case][1], result.output
    assert CANARY not in result.output
    assert "Traceback" not in result.output
    text = f"$ lineage-setup status --dir {root}\n[exit {result.exit_code}]\n"
    text += f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    _compare(CASES / case / "expected.txt", _normalise(text, root, tmp_path))


@pytest.mark.parametrize("case", sorted(SETUP))
def test_status_json(case: str, tmp_path: Path) -> None:
    root = _repository(case, tmp_path)
    result = cli(["status", "--dir", str(root), "--json"])
    assert result.exit_code == SETUP[case][1], result.output
    assert CANARY not in result.output
    document = json.loads(result.stdout)  # the whole of stdout is the one document
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code
    assert result.stderr == ""
    normalised = _normalised(document, root, tmp_path)
    _compare(CASES / case / "expected.json", json.dumps(normalised, indent=2, ensure_ascii=False) + "\n")
