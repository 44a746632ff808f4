"""`lineage-setup great-expectations` on GX 1.x projects, through the CLI, without GX itself (test_gx1_real.py
runs the real GX): the plugin module as Python reads it, --print --format gx1, checkpoint selection, an
entry already there, the module replaced only when it is ours, requirements, and the key kept out."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from lineage_setup.integrations.great_expectations import gx1_render

from .golden_cases import Case
from .helpers import CANARY, CONN, cli, tree

CONFIG = """\
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
checkpoint_store_name: checkpoint_store
fluent_datasources: {}
"""


def _checkpoint(name: str, actions: list[dict[str, object]] | None = None) -> str:
    data = {"actions": actions or [], "id": "1", "name": name, "validation_definitions": [{"id": "2", "name": "vd"}]}
    return json.dumps(data, indent=2, sort_keys=True)


def _project(root: Path, *names: str, config: str = CONFIG) -> Path:
    gx = root / "gx"
    (gx / "checkpoints").mkdir(parents=True)
    (gx / "uncommitted").mkdir()
    (gx / "great_expectations.yml").write_text(config)
    (gx / ".gitignore").write_text("uncommitted/\n")
    for name in names or ("daily",):
        (gx / "checkpoints" / f"{name}.json").write_text(_checkpoint(name))
    return root


def _run(root: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli(["great-expectations", "--dir", str(root), *CONN, *args], env=env)


def _actions(root: Path, name: str) -> list[dict[str, object]]:
    data = json.loads((root / "gx" / "checkpoints" / f"{name}.json").read_text())
    return list(data["actions"])


# --- the module ------------------------------------------------------------------------------------


def test_module_is_python_the_linter_passes() -> None:
    """The rendered module parses, and pyflakes' checks (ruff F: undefined names, unused imports...) pass."""
    text = gx1_render.module_text()
    ast.parse(text)
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    done = subprocess.run(
        [ruff, "check", "--isolated", "--select", "F,E9", "--target-version", "py39", "--stdin-filename", "m.py", "-"],
        input=text, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert gx1_render.is_ours(text)
    assert 'type: Literal["openlineage_gx"] = "openlineage_gx"' in text
    assert gx1_render.PRODUCER in text and "$" not in text.replace("${OPENLINEAGE_API_KEY}", "").replace('"$"', "")


def test_print_gx1_shows_module_entry_and_store(empty_dir: Path) -> None:
    result = cli(["gx", "--dir", str(empty_dir), *CONN, "--print", "--format", "gx1", "--job-name", "j"])
    assert result.exit_code == 0, result.output
    assert CANARY not in result.output
    module, rest = result.stdout.split('"""OpenLineage events', 1)[1].split("\n{\n", 1)
    ast.parse('"""OpenLineage events' + module)
    entry_text, store = ("{\n" + rest).split("}\n", 1)
    entry = json.loads(entry_text + "}")
    assert entry == {
        "api_key": "${OPENLINEAGE_API_KEY}", "endpoint": "api/v1/lineage", "job_name": "j", "name": "openlineage",
        "namespace": "dev", "type": "openlineage_gx", "url": "https://lineage.example.com",
    }  # fmt: skip
    assert yaml.safe_load(store)["stores"]["checkpoint_store"]["module_name"] == "openlineage_gx"
    assert "gx/plugins/openlineage_gx.py" in result.stderr and "actions" in result.stderr


@pytest.mark.parametrize("field", ["url", "endpoint", "namespace"])
def test_dollar_in_an_answer_is_refused(tmp_path: Path, field: str) -> None:
    """GX substitutes `$NAME` in an action's text fields; the answers' own checks refuse `$` already, and
    the GX 1.x forms check again (exit 2) should an answer ever allow it."""
    from lineage_setup.answers import Connection
    from lineage_setup.errors import UsageError

    values = {"url": "https://h.example", "endpoint": "api/v1/lineage", "namespace": "dev", field: "a$b"}
    with pytest.raises(UsageError, match=f"--{field}: GX would read '\\$' as a variable"):
        gx1_render.check_values(Connection(values["url"], values["endpoint"], values["namespace"], CANARY))
    root = _project(tmp_path / "p")
    before = tree(root)
    flags = {"url": "https://h.example/$b", "endpoint": "api/$b/lineage", "namespace": "team$b"}
    conn = ["--url", "https://h.example", "--namespace", "dev", "--api-key", CANARY, f"--{field}", flags[field]]
    result = cli(["gx", "--dir", str(root), *conn, "--yes"])
    assert result.exit_code == 2, result.output
    assert tree(root) == before


# --- the project -----------------------------------------------------------------------------------


def test_checkpoint_option_limits_the_run_and_unknown_names_are_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "daily", "weekly")
    bad = _run(root, "--checkpoint", "monthly", "--yes")
    assert bad.exit_code == 2 and "no checkpoint named monthly (found: daily, weekly)" in bad.stderr
    assert _run(root, "--checkpoint", "weekly", "--yes").exit_code == 0
    assert [a["type"] for a in _actions(root, "weekly")] == ["openlineage_gx"]
    assert _actions(root, "daily") == []


def test_entry_already_there_keeps_the_users_variables_and_name(tmp_path: Path) -> None:
    theirs = {"api_key": "${TEAM_TOKEN}", "endpoint": "api/v1/lineage", "job_name": "kept", "name": "lineage",
              "namespace": "${NS}", "type": "openlineage_gx", "url": "https://old.example"}  # fmt: skip
    root = _project(tmp_path / "p")
    (root / "gx" / "checkpoints" / "daily.json").write_text(_checkpoint("daily", [theirs]))
    result = _run(root, "--replace", "--yes")  # it sends to old.example now
    assert result.exit_code == 0, result.output
    (entry,) = _actions(root, "daily")
    assert entry == {**theirs, "url": "https://lineage.example.com"}
    assert "kept namespace: ${NS}" in result.stdout and "kept job_name: kept" in result.stdout
    variables = yaml.safe_load((root / "gx" / "uncommitted" / "config_variables.yml").read_text())
    assert variables == {"TEAM_TOKEN": CANARY}


def test_openlineage_s_own_action_gets_a_note(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    theirs = [{"name": "ol", "type": "openlineage"}]
    (root / "gx" / "checkpoints" / "daily.json").write_text(_checkpoint("daily", theirs))
    result = _run(root, "--dry-run")
    assert result.exit_code == 0
    assert "also lists OpenLineage's own GX action" in result.stderr


def test_an_older_module_of_ours_is_replaced(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    module = root / "gx" / "plugins" / "openlineage_gx.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""OpenLineage events for GX 1.x checkpoints (written by lineage-setup 0.0.1)."""\n')
    assert _run(root, "--yes").exit_code == 0
    assert module.read_text() == gx1_render.module_text()


def test_requirements_get_the_client_pin_once(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "requirements.txt").write_text("great_expectations==1.24.1\n")
    result = _run(root, "--yes")
    assert result.exit_code == 0, result.output
    assert "openlineage-python>=1.13.1" in (root / "requirements.txt").read_text()
    assert "pip install -r requirements.txt" in result.stdout
    settled = tree(root)
    assert "Nothing to change" in _run(root, "--yes").stdout
    assert tree(root) == settled


def test_without_requirements_the_pin_is_a_step_and_the_run_is_explained(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    result = _run(root, "--yes")
    assert "pip install 'openlineage-python>=1.13.1'" in result.stdout
    assert "context.checkpoints.get('daily').run()" in result.stdout
    assert "1.3.0 or later" in result.stdout


def test_no_checkpoints_yet_still_sets_up_the_module(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "gx" / "checkpoints" / "daily.json").unlink()
    result = _run(root, "--yes")
    assert result.exit_code == 0, result.output
    assert "no checkpoint JSON files in gx/checkpoints" in result.stdout
    assert "--print --format gx1" in result.stdout
    assert (root / "gx" / "plugins" / "openlineage_gx.py").is_file()


def test_store_lines_read_the_same_in_pyyaml_and_ruamel() -> None:
    text = gx1_render.store_text()
    assert yaml.safe_load(text) == YAML(typ="safe", pure=True).load(text)


def test_golden_cases_cover_refusals_and_a_no_op() -> None:
    from .golden_cases import cases

    found = {case.name: case for case in cases("gx1")}
    assert {"refused-not-gx-written", "refused-unknown-version", "already-set-up"} <= set(found)
    assert not found["already-set-up"].changes
    assert all((case.folder / "expect").is_file() for case in found.values() if case.refused)
    assert isinstance(found["gx-written"], Case) and found["gx-written"].writes("openlineage_gx")


@pytest.mark.parametrize("case", ["gx-written", "hand-kept", "minimal-config"])
def test_checkpoints_keep_their_layout(case: str) -> None:
    """Indentation, key order, line endings and the final newline of every checkpoint stay the file's own."""
    from lineage_setup.edits import json_doc

    golden = Case("gx1", case)
    assert golden.after is not None
    for before in golden.before.rglob("*.json"):
        after = golden.after / before.relative_to(golden.before)
        old, new = json_doc.read(before.read_bytes().decode()), json_doc.read(after.read_bytes().decode())
        assert old.style == new.style
        assert [k for k in old.data] == [k for k in new.data]
