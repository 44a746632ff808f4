"""Great Expectations from setup to removal, through the CLI: `lineage-setup remove great-expectations` after a
setup restores every file that was there byte for byte (and mode) and deletes what the setup created, on GE 0.x
and GX 1.x golden projects; it recognises what is ours from the files alone (a fresh clone), leaves and names
what was edited since, and a second removal changes nothing. Also the wizard end to end on a repository with
both generations and a dbt project: init, status and remove, each also as --json against the schema."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from .golden_cases import Case, ids, modes
from .helpers import CANARY, cli, files, git

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))
# projects with nothing of OpenLineage's before the setup (the others hold the user's own entries, which a
# removal takes out as well, or a flow-style file it cannot take apart, and says so)
ROUND_TRIPS = [
    *(Case("great_expectations", name) for name in ("fresh", "ge-generated", "v3-checkpoints", "ge-init-clone")),
    Case("great_expectations", "legacy-crlf"),  # CRLF, no final newline, our operator and .gitignore created
    Case("great_expectations", "own-operator"),  # the user's operator gets our entry, and ours is added beside it
    Case("great_expectations", "ge013-operator"),  # GE's own action_list_operator (commented): only our entry goes
    *(Case("gx1", name) for name in ("gx-written", "minimal-config", "gx-init-clone")),
]


def _remove(root: Path, *mode: str):  # type: ignore[no-untyped-def]
    return cli(["remove", "great-expectations", "--dir", str(root), *mode])


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=ids)
def test_setup_then_remove_restores_every_byte(case: Case, tmp_path: Path) -> None:
    root = case.copy_before(tmp_path / "p")
    original, original_modes = files(root), modes(root)
    setup = case.run(root, "--yes")
    assert setup.exit_code == 0, setup.output
    assert files(root) != original
    check = _remove(root, "--check")
    assert check.exit_code == 1, check.output  # something to take out
    removed = _remove(root, "--yes")
    assert removed.exit_code == 0, removed.output
    assert CANARY not in removed.output
    assert files(root) == original  # every file as it was; what the setup created is gone
    assert modes(root) == original_modes
    again = _remove(root, "--yes")
    assert again.exit_code == 0 and "Nothing to change" in again.stdout
    assert files(root) == original


def test_remove_works_on_a_fresh_clone(tmp_path: Path) -> None:
    """Nothing but the committed files tells what is ours: a clone (without the ignored key file) comes back
    to the commit before the setup."""
    origin = Case("great_expectations", "ge-generated").copy_before(tmp_path / "origin")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "before")
    before = files(origin)
    assert Case("great_expectations", "ge-generated").run(origin, "--yes").exit_code == 0
    git(origin, "add", "-A")  # the key file stays out: .gitignore keeps it so
    git(origin, "commit", "-qm", "lineage")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert not (clone / "great_expectations" / "uncommitted" / "config_variables.yml").exists()
    result = _remove(clone, "--yes")
    assert result.exit_code == 0, result.output
    ignored = "great_expectations/uncommitted/config_variables.yml"
    assert _tracked(files(clone)) == {k: v for k, v in _tracked(before).items() if k != ignored}


def _tracked(found: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in found.items() if not path.startswith(".git/")}


def test_an_entry_edited_since_is_left_and_said(tmp_path: Path) -> None:
    case = Case("great_expectations", "v3-checkpoints")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    edited = root / "great_expectations" / "checkpoints" / "with_actions.yml"
    edited.write_text(re.sub(r"( +)openlineage_namespace:", r"\1job_description: x\n\g<0>", edited.read_text()))
    kept = edited.read_text()
    result = _remove(root, "--yes")
    assert result.exit_code == 0, result.output
    assert edited.read_text() == kept
    assert "with_actions.yml: its OpenLineage entry" in result.stdout and "left" in result.stdout
    variables = yaml.safe_load((root / "great_expectations" / "uncommitted" / "config_variables.yml").read_text())
    assert variables["OPENLINEAGE_API_KEY"] == CANARY  # the entry left still names it
    assert "OPENLINEAGE_API_KEY kept" in result.stdout
    no_actions = yaml.safe_load((root / "great_expectations" / "checkpoints" / "no_actions.yml").read_text())
    assert "action_list" not in no_actions  # the others are taken out all the same


def test_a_user_s_operator_keeps_its_own_entries_and_the_legacy_line_is_said(tmp_path: Path) -> None:
    case = Case("great_expectations", "crlf")  # its operator has an action of its own
    root = case.copy_before(tmp_path / "p")
    original = files(root)
    assert case.run(root, "--yes").exit_code == 0
    result = _remove(root, "--yes")
    assert result.exit_code == 0, result.output
    now = files(root)
    config = "great_expectations/great_expectations.yml"
    assert now[config] == original[config]  # our entry out of their operator, nothing else
    assert "validation_operator_name: action_list_operator` left" in result.stdout
    assert b"OpenLineageValidationAction" not in b"".join(now.values())


def test_gx1_module_changed_since_is_left_with_the_store_line(tmp_path: Path) -> None:
    case = Case("gx1", "gx-written")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    module = root / "gx" / "plugins" / "openlineage_gx.py"
    module.write_text(module.read_text() + "# mine\n")
    result = _remove(root, "--yes")
    assert result.exit_code == 0, result.output
    assert module.read_text().endswith("# mine\n")
    assert "openlineage_gx.py: written by lineage-setup, but not as this version writes it" in result.stdout
    assert "openlineage_gx" not in (root / "gx" / "checkpoints" / "daily.json").read_text()


def test_gx1_checkpoint_still_listing_the_action_keeps_it_loaded(tmp_path: Path) -> None:
    case = Case("gx1", "gx-written")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    daily = root / "gx" / "checkpoints" / "daily.json"
    daily.write_text(daily.read_text().replace('"name": "openlineage"', '"name": "mine"'))
    result = _remove(root, "--yes")
    assert result.exit_code == 0, result.output
    assert '"openlineage_gx"' in daily.read_text()
    assert "module_name: openlineage_gx" in (root / "gx" / "great_expectations.yml").read_text()
    assert (root / "gx" / "plugins" / "openlineage_gx.py").exists()  # GX still needs it for daily
    assert '"openlineage_gx"' not in (root / "gx" / "checkpoints" / "weekly.json").read_text()


# --- the wizard, status and remove on a repository with both generations ------------------------------------


def _repo(root: Path) -> Path:
    Case("great_expectations", "ge-init-clone").copy_before(root / "quality")
    Case("gx1", "gx-init-clone").copy_before(root / "checks")
    (root / "analytics").mkdir(parents=True)
    (root / "analytics" / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    return root


def _document(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = cli([*args, "--json"])
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code
    assert CANARY not in result.stdout + result.stderr
    return document


def test_init_status_and_remove_on_a_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    original = files(root)
    conn = ["--url", "https://lineage.example.com", "--api-key", CANARY]
    first = cli(["init", "--dir", str(root), *conn, "--no-input", "--yes"])
    assert first.exit_code == 0, first.output
    assert CANARY not in first.output
    found = _document(["status", "--dir", str(root)])
    by_path = {entry["path"]: entry for entry in found["status"]}
    for path, generation in (("quality", "GE 0.x"), ("checks", "GX 1.x")):
        settings = {s["name"]: s["value"] for s in by_path[path]["settings"]}
        assert settings["generation"] == generation
        assert settings["sends to"] == "https://lineage.example.com/api/v1/lineage"
        assert settings["namespace"] == path  # the project's own folder name
        assert settings["api key"] == "..." + CANARY[-4:]
        assert by_path[path]["problems"] == []
    assert found["exit_code"] == 0
    again = cli(["init", "--dir", str(root), *conn, "--no-input", "--check"])
    assert again.exit_code == 0, again.output
    plan = _document(["remove", "--dir", str(root), "--dry-run"])
    assert {"quality/requirements.txt", "checks/gx/plugins/openlineage_gx.py"} <= {c["path"] for c in plan["changes"]}
    removed = _document(["remove", "--dir", str(root), "--yes"])
    assert removed["exit_code"] == 0
    assert files(root) == original


def test_init_json_over_the_repository_validates(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    conn = ["--url", "https://lineage.example.com", "--api-key", CANARY]
    document = _document(["init", "--dir", str(root), *conn, "--no-input", "--dry-run"])
    kinds = {(entry["kind"], entry["path"]) for entry in document["found"]}
    assert {("great-expectations", "quality"), ("great-expectations", "checks"), ("dbt", "analytics")} <= kinds


def test_remove_of_a_project_never_set_up_changes_nothing(tmp_path: Path) -> None:
    root = Case("gx1", "gx-init-clone").copy_before(tmp_path / "p")
    shutil.rmtree(root / "gx" / "plugins")
    original = files(root)
    result = _remove(root, "--yes")
    assert result.exit_code == 0 and "Nothing to change" in result.stdout
    assert files(root) == original
