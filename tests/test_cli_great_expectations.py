"""`lineage-setup great-expectations` (alias `gx`) through the real CLI: finding the project, options,
exit codes, git and requirements handling, notes, --print, and the key kept out of output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from lineage_setup import fs, writer
from lineage_setup.integrations.great_expectations import edits as ge_edits
from lineage_setup.workspace import Workspace

from .helpers import CANARY, CONN, cli, git, tree

V3 = """\
name: {name}
config_version: 1.0
class_name: Checkpoint
action_list:
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
"""
LEGACY = "name: {name}\nmodule_name: great_expectations.checkpoint\nclass_name: LegacyCheckpoint\nbatches: []\n"
CONFIG = "config_version: 3.0\ndatasources: {}\nconfig_variables_file_path: uncommitted/config_variables.yml\n"


def _project(root: Path, checkpoints: dict[str, str] | None = None, config: str = CONFIG) -> Path:
    ge = root / "great_expectations"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "uncommitted").mkdir()
    (ge / "great_expectations.yml").write_text(config)
    (ge / ".gitignore").write_text("uncommitted/\n")
    (ge / "uncommitted" / "config_variables.yml").write_text("instance_id: 1\n")
    for name, text in (checkpoints or {"daily": V3.format(name="daily")}).items():
        path = ge / "checkpoints" / f"{name}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path / "p")


def _run(root: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli(["great-expectations", "--dir", str(root), *CONN, *args], env=env)


def _no_key(result) -> None:  # type: ignore[no-untyped-def]
    assert CANARY not in result.stdout
    assert CANARY not in result.stderr


def _checkpoint(root: Path, name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((root / "great_expectations" / "checkpoints" / f"{name}.yml").read_text())


def _has_action(data: dict) -> bool:  # type: ignore[type-arg]
    return any(item.get("name") == "openlineage" for item in data.get("action_list") or [])


# --- finding the project -----------------------------------------------------------------------


def test_missing_project_is_exit_2_naming_where_it_looked(empty_dir: Path) -> None:
    result = _run(empty_dir, "--yes")
    assert result.exit_code == 2
    root = empty_dir.resolve()
    for looked in ("great_expectations.yml", "great_expectations/great_expectations.yml", "gx/great_expectations.yml"):
        assert str(root / looked) in result.stderr
    assert list(empty_dir.iterdir()) == []


@pytest.mark.parametrize("folder", ["great_expectations", "gx", ""])
def test_the_three_places_a_project_can_be(tmp_path: Path, folder: str) -> None:
    ge = tmp_path / folder if folder else tmp_path
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "great_expectations.yml").write_text(CONFIG)
    (ge / "checkpoints" / "c.yml").write_text(V3.format(name="c"))
    result = cli(["gx", "--dir", str(tmp_path), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    assert _has_action(yaml.safe_load((ge / "checkpoints" / "c.yml").read_text()))
    assert (ge / "uncommitted" / "config_variables.yml").stat().st_mode & 0o777 == 0o600
    assert ("a gx/ folder comes from GE newer than 0.15.34" in result.stderr) == (folder == "gx")


def test_unknown_config_version_is_refused_with_what_to_paste(tmp_path: Path) -> None:
    ge = tmp_path / "gx"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "great_expectations.yml").write_text("config_version: 5\n")
    before = tree(tmp_path)
    result = cli(["gx", "--dir", str(tmp_path), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "config_version 5 is newer than GX 1.x's 4" in result.stderr
    assert '"type": "openlineage_gx"' in result.stderr and "module_name: openlineage_gx" in result.stderr
    assert tree(tmp_path) == before
    _no_key(result)


# --- options -----------------------------------------------------------------------------------


def test_alias_gx_is_the_same_command(project: Path, tmp_path: Path) -> None:
    other = _project(tmp_path / "other")
    assert _run(project, "--yes").exit_code == 0
    assert cli(["gx", "--dir", str(other), *CONN, "--yes"]).exit_code == 0
    for rel in ("great_expectations/checkpoints/daily.yml", "great_expectations/uncommitted/config_variables.yml"):
        assert (project / rel).read_bytes() == (other / rel).read_bytes()


def test_checkpoint_option_is_repeatable_and_limits_the_run(tmp_path: Path) -> None:
    names = {"a": V3.format(name="a"), "b": V3.format(name="b"), "team/c": V3.format(name="team/c")}
    root = _project(tmp_path / "p", names)
    result = _run(root, "--checkpoint", "a", "--checkpoint", "team.c", "--yes")
    assert result.exit_code == 0, result.output
    assert _has_action(_checkpoint(root, "a"))
    assert _has_action(_checkpoint(root, "team/c"))
    assert not _has_action(_checkpoint(root, "b"))
    assert _run(root, "--yes").exit_code == 0  # then all
    assert _has_action(_checkpoint(root, "b"))


def test_unknown_checkpoint_is_exit_2_listing_the_known_ones(project: Path) -> None:
    before = tree(project)
    result = _run(project, "--checkpoint", "nope", "--checkpoint", "daily", "--yes")
    assert result.exit_code == 2
    assert "--checkpoint: no checkpoint named nope (found: daily)" in result.stderr
    assert tree(project) == before


def test_job_name_is_written_and_updated_in_place(project: Path) -> None:
    assert _run(project, "--job-name", "orders_nightly", "--yes").exit_code == 0
    assert _run(project, "--job-name", "orders_hourly", "--yes").exit_code == 0
    items = _checkpoint(project, "daily")["action_list"]
    assert [item["name"] for item in items] == ["store_validation_result", "openlineage"]
    assert items[1]["action"]["job_name"] == "orders_hourly"


@pytest.mark.parametrize(
    ("value", "message"),
    [("a$b", "GE would read '$' as a variable"), ("a\nb", "printable"), (" a", "surrounding spaces")],
)
def test_bad_job_name_is_exit_2(project: Path, value: str, message: str) -> None:
    before = tree(project)
    result = _run(project, "--job-name", value, "--yes")
    assert result.exit_code == 2
    assert message in result.stderr
    assert tree(project) == before


def test_other_answers_update_the_entry_in_place(project: Path) -> None:
    assert _run(project, "--yes").exit_code == 0
    again = cli(["gx", "--dir", str(project), "--url", "https://other.example", "--namespace", "prod",
                 "--api-key", CANARY + "x", "--replace", "--yes"])  # fmt: skip
    assert again.exit_code == 0, again.output
    action = _checkpoint(project, "daily")["action_list"][1]["action"]
    assert action["openlineage_host"] == "https://other.example"
    assert action["openlineage_namespace"] == "prod"
    variables = (project / "great_expectations/uncommitted/config_variables.yml").read_text()
    assert variables == f'instance_id: 1\nOPENLINEAGE_API_KEY: "{CANARY}x"\n'


# --- the endpoint --------------------------------------------------------------------------------


def test_endpoint_the_action_cannot_reach_is_exit_2(project: Path) -> None:
    before = tree(project)
    result = cli(["gx", "--dir", str(project), "--url", "https://h.example/v2/events", "--namespace", "dev",
                  "--api-key", CANARY, "--yes"])  # fmt: skip
    assert result.exit_code == 2
    assert "always posts to <openlineage_host>/api/v1/lineage" in result.stderr
    assert tree(project) == before


def test_endpoint_under_a_prefix_is_kept_by_the_client_s_urljoin(project: Path) -> None:
    url = "https://h.example/proxy/api/v1/lineage"
    result = cli(["gx", "--dir", str(project), "--url", url, "--namespace", "dev", "--api-key", CANARY, "--yes"])
    assert result.exit_code == 0, result.output
    host = _checkpoint(project, "daily")["action_list"][1]["action"]["openlineage_host"]
    assert host == "https://h.example/proxy/"
    assert urljoin(host, "api/v1/lineage") == url  # what openlineage-python's HttpTransport posts to


# --- operators: only where GE uses them -------------------------------------------------------


def test_v3_project_gets_no_validation_operators(project: Path) -> None:
    result = _run(project, "--yes")
    assert "validation_operators: not added" in result.stdout
    config = yaml.safe_load((project / "great_expectations/great_expectations.yml").read_text())
    assert "validation_operators" not in config


def test_legacy_checkpoint_naming_its_own_operator_gets_the_action_there(tmp_path: Path) -> None:
    config = CONFIG + (
        "validation_operators:\n  mine:\n    class_name: ActionListValidationOperator\n    action_list: []\n"
        "  odd:\n    class_name: MyOperator\n"
    )
    legacy = LEGACY.format(name="x") + "validation_operator_name: mine\n"
    odd = LEGACY.format(name="y") + "validation_operator_name: odd\n"
    root = _project(tmp_path / "p", {"x": legacy, "y": odd}, config)
    result = _run(root, "--yes")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "great_expectations/great_expectations.yml").read_text())
    assert [item["name"] for item in data["validation_operators"]["mine"]["action_list"]] == ["openlineage"]
    assert "action_list_operator" in data["validation_operators"]  # the section exists: ours is there too
    assert _checkpoint(root, "x")["validation_operator_name"] == "mine"
    assert _checkpoint(root, "y")["validation_operator_name"] == "odd"
    assert "runs validation operator mine: the action goes there" in result.stdout
    assert "its operator odd is a MyOperator; add the action to it yourself" in result.stderr


def test_simple_checkpoints_get_a_warning(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"s": "name: s\nclass_name: SimpleCheckpoint\n"})
    result = _run(root, "--yes")
    assert result.exit_code == 0
    assert "GE 0.14 and 0.15 replace a SimpleCheckpoint's action_list" in result.stderr


def test_remote_checkpoint_store_is_left_alone(tmp_path: Path) -> None:
    config = CONFIG + (
        "stores:\n  cp:\n    class_name: CheckpointStore\n    store_backend:\n"
        "      class_name: TupleS3StoreBackend\n      bucket: b\ncheckpoint_store_name: cp\n"
    )
    root = _project(tmp_path / "p", config=config)
    result = _run(root, "--yes")
    assert result.exit_code == 0
    assert "the checkpoint store is not a local folder" in result.stderr
    assert not _has_action(_checkpoint(root, "daily"))


def test_checkpoint_folder_from_the_store_config(tmp_path: Path) -> None:
    config = CONFIG + (
        "stores:\n  cp:\n    class_name: CheckpointStore\n    store_backend:\n"
        "      class_name: TupleFilesystemStoreBackend\n      base_directory: my/checks/\ncheckpoint_store_name: cp\n"
    )
    root = _project(tmp_path / "p", config=config)
    (root / "great_expectations/my/checks").mkdir(parents=True)
    (root / "great_expectations/my/checks/moved.yml").write_text(V3.format(name="moved"))
    assert _run(root, "--yes").exit_code == 0
    assert _has_action(yaml.safe_load((root / "great_expectations/my/checks/moved.yml").read_text()))
    assert not _has_action(_checkpoint(root, "daily"))


def test_symlinked_checkpoint_is_refused(project: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.yml"
    real.write_text(V3.format(name="linked"))
    (project / "great_expectations/checkpoints/linked.yml").symlink_to(real)
    before = tree(project)
    result = _run(project, "--yes")
    assert result.exit_code == 3
    assert "is a symbolic link" in result.stderr
    assert tree(project) == before


# --- the key: config variables and git -----------------------------------------------------------


def test_key_is_only_in_the_variables_file(project: Path) -> None:
    result = _run(project, "--yes")
    assert result.exit_code == 0
    _no_key(result)
    holders = [p for p in project.rglob("*") if p.is_file() and CANARY in p.read_text()]
    assert holders == [project / "great_expectations/uncommitted/config_variables.yml"]
    assert "${OPENLINEAGE_API_KEY}" in (project / "great_expectations/checkpoints/daily.yml").read_text()


def test_tracked_variables_file_is_refused(project: Path) -> None:
    git(project, "init", "-q")
    git(project, "add", "-f", "great_expectations/uncommitted/config_variables.yml")
    before = tree(project)
    result = _run(project, "--yes")
    assert result.exit_code == 3
    assert "tracked by git" in result.stderr and "git rm --cached" in result.stderr
    assert tree(project) == before


def test_not_ignored_variables_file_gets_an_ignore_entry(project: Path) -> None:
    git(project, "init", "-q")
    (project / "great_expectations/.gitignore").unlink()
    assert _run(project, "--yes").exit_code == 0
    variables = "great_expectations/uncommitted/config_variables.yml"
    check = subprocess.run(["git", "-C", str(project), "check-ignore", "-q", variables], check=False)
    assert check.returncode == 0
    assert (project / "great_expectations/.gitignore").read_text().endswith("uncommitted/config_variables.yml\n")


def test_ge_s_own_ignore_is_enough(project: Path) -> None:
    git(project, "init", "-q")
    assert _run(project, "--yes").exit_code == 0
    assert (project / "great_expectations/.gitignore").read_text() == "uncommitted/\n"


def test_variables_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    config = "config_version: 3.0\nconfig_variables_file_path: ${HOME}/ge_vars.yml\n"
    root = _project(tmp_path / "p", config=config)
    before = tree(root)
    result = _run(root, "--yes")
    assert result.exit_code == 3
    assert "writes the key only to a file inside the project" in result.stderr
    assert "OPENLINEAGE_API_KEY: " in result.stderr and "****" in result.stderr
    _no_key(result)
    assert tree(root) == before


def test_readable_variables_file_gets_a_warning(project: Path) -> None:
    (project / "great_expectations/uncommitted/config_variables.yml").chmod(0o644)
    result = _run(project, "--yes")
    assert "readable by other users (mode 644)" in result.stderr
    assert (project / "great_expectations/uncommitted/config_variables.yml").stat().st_mode & 0o777 == 0o644


# --- requirements --------------------------------------------------------------------------------


def test_requirements_get_the_pin(project: Path) -> None:
    (project / "requirements.txt").write_text("great_expectations==0.15.34  # ours\npandas<2\n")
    result = _run(project, "--yes")
    assert result.exit_code == 0
    text = (project / "requirements.txt").read_text()
    assert text.startswith("great_expectations==0.15.34  # ours\npandas<2\n")
    assert "openlineage-integration-common[great-expectations]<=1.39.0" in text
    assert "pip install -r requirements.txt" in result.stdout


@pytest.mark.parametrize(
    "listed",
    [
        "openlineage-integration-common[great-expectations]==1.39.0",
        "openlineage_integration_common[great_expectations]<=1.39.0  # mine",
        "openlineage-integration-common[great_expectations,dbt]==1.30.0",
    ],
)
def test_requirements_already_satisfied_stay_as_they_are(project: Path, listed: str) -> None:
    (project / "requirements.txt").write_text(f"pandas<2\n{listed}\n")
    assert _run(project, "--yes").exit_code == 0
    assert (project / "requirements.txt").read_text() == f"pandas<2\n{listed}\n"


def test_a_newer_integration_common_is_replaced_with_a_note(project: Path) -> None:
    (project / "requirements.txt").write_text("openlineage-integration-common==1.54.0\n")
    result = _run(project, "--yes")
    assert (
        (project / "requirements.txt")
        .read_text()
        .startswith("openlineage-integration-common[great-expectations]<=1.39.0")
    )
    assert "replacing `openlineage-integration-common==1.54.0`" in result.stderr


def test_empty_checkpoint_file_is_left_alone_with_a_note(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"empty": "# nothing here yet\n"})
    result = _run(root, "--yes")
    assert result.exit_code == 0
    assert "empty, or not a mapping" in result.stderr
    assert (root / "great_expectations/checkpoints/empty.yml").read_text() == "# nothing here yet\n"


def test_without_requirements_the_pin_is_a_step(project: Path) -> None:
    result = _run(project, "--yes")
    assert "pip install 'openlineage-integration-common[great-expectations]<=1.39.0'" in result.stdout
    assert not (project / "requirements.txt").exists()


def test_hashed_requirements_are_refused_with_the_line_to_add(project: Path) -> None:
    (project / "requirements.txt").write_text("pandas==1.5.3 --hash=sha256:abc\n")
    before = tree(project)
    result = _run(project, "--yes")
    assert result.exit_code == 3
    assert "openlineage-integration-common[great-expectations]<=1.39.0" in result.stderr
    assert tree(project) == before


def test_requirements_notes_about_versions(project: Path) -> None:
    (project / "requirements.txt").write_text("great_expectations>=0.18\nopenlineage-dbt==1.54.0\n")
    result = _run(project, "--yes")
    assert "asks for `great_expectations>=0.18`" in result.stderr
    assert "also lists openlineage-dbt" in result.stderr


# --- notes about the environment ---------------------------------------------------------------


def test_notes_about_what_overrides_the_action(project: Path) -> None:
    (project / "openlineage.yml").write_text("transport:\n  type: console\n")
    env = {
        "OPENLINEAGE_CONFIG": "/etc/ol.yml",
        "OPENLINEAGE_DISABLED": "true",
        "OPENLINEAGE_API_KEY": "olk_other_key_1",
    }
    result = _run(project, "--yes", env=env)
    assert result.exit_code == 0
    for text in (
        "OPENLINEAGE_CONFIG or OPENLINEAGE__TRANSPORT* is set",
        f"{project.resolve() / 'openlineage.yml'} exists",
        "OPENLINEAGE_DISABLED=true is set",
        "OPENLINEAGE_API_KEY is set in this environment to another key",
    ):
        assert text in result.stderr, text


def test_plaintext_key_in_an_entry_gets_a_revoke_note(tmp_path: Path) -> None:
    text = V3.format(name="old") + (
        "  - name: openlineage\n    action:\n      class_name: OpenLineageValidationAction\n"
        "      openlineage_apiKey: olk_committed_key_123\n"
    )
    root = _project(tmp_path / "p", {"old": text})
    result = _run(root, "--yes")
    assert "holds an API key in plain text" in result.stderr
    assert "olk_committed_key_123" not in (root / "great_expectations/checkpoints/old.yml").read_text()


# --- modes ---------------------------------------------------------------------------------------


def test_without_terminal_or_yes_shows_diff_and_writes_nothing(project: Path) -> None:
    before = tree(project)
    result = _run(project)
    assert result.exit_code == 2
    assert "+  - name: openlineage" in result.stdout
    assert "pass --yes" in result.stderr
    assert tree(project) == before


def test_check_exits_1_then_0(project: Path) -> None:
    assert _run(project, "--check").exit_code == 1
    assert _run(project, "--yes").exit_code == 0
    assert _run(project, "--check").exit_code == 0


@pytest.mark.parametrize("fmt", ["yaml", "checkpoint"])
def test_print_snippets_have_no_key_and_parse(empty_dir: Path, fmt: str) -> None:
    result = cli(["gx", "--dir", str(empty_dir), *CONN, "--print", "--format", fmt])
    assert result.exit_code == 0
    assert CANARY not in result.stdout and CANARY not in result.stderr
    data = yaml.safe_load(result.stdout)
    items = (
        data["action_list"]
        if fmt == "checkpoint"
        else data["validation_operators"]["action_list_operator"]["action_list"]
    )
    assert items[-1]["action"]["openlineage_apiKey"] == "${OPENLINEAGE_API_KEY}"
    assert "0.13.26 to 0.15.34" in result.stderr


def test_print_variables_has_the_real_key(empty_dir: Path) -> None:
    result = cli(["gx", "--dir", str(empty_dir), *CONN, "--print", "--format", "variables"])
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout) == {"OPENLINEAGE_API_KEY": CANARY}
    assert CANARY not in result.stderr


def test_print_default_is_the_operator_block(empty_dir: Path) -> None:
    result = cli(["gx", "--dir", str(empty_dir), *CONN, "--print", "--job-name", "j"])
    data = yaml.safe_load(result.stdout)
    assert data["validation_operators"]["action_list_operator"]["action_list"][-1]["action"]["job_name"] == "j"


# --- core changes this command needed --------------------------------------------------------------


def test_stale_temp_sweep_matches_names_literally(tmp_path: Path) -> None:
    target = tmp_path / "a[1].yml"
    mine = tmp_path / f".a[1].yml.x1{fs.TMP_SUFFIX}"
    other = tmp_path / f".b.yml.x2{fs.TMP_SUFFIX}"
    for path in (mine, other):
        path.write_text("left by a killed run")
    ws = Workspace(tmp_path)
    ws.write("a[1].yml", "x\n", reason="test")
    writer.apply(ws.plan())
    assert target.read_text() == "x\n"
    assert not mine.exists()
    assert other.exists()  # another target's leftovers are swept when that target is written


def test_diff_is_printed_whole_and_in_order(project: Path) -> None:
    result = _run(project, "--dry-run")
    lines = result.stdout.splitlines()
    start = lines.index("--- a/great_expectations/checkpoints/daily.yml")
    assert lines[start + 1] == "+++ b/great_expectations/checkpoints/daily.yml"
    assert lines[start + 2].startswith("@@")
    assert lines[start + 3 : start + 6] == ["   - name: store_validation_result", "     action:",
                                            "       class_name: StoreValidationResultAction"]  # fmt: skip
    assert lines[start + 6] == "+  - name: openlineage"


def test_plain_diff_shows_control_characters_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal a diff is plain text, one write: terminal control characters in a file are shown
    escaped, never obeyed (rich would drop them silently); everything else is kept as it is."""
    from lineage_setup import ui

    lines = ["--- a/x", "+++ b/x", "@@ -1 +1 @@", "-old", "+new \x07bell \x1b[31mred", " é😀 wide", "+\x0bvt\x0cff\r"]
    ui._diff(lines, set())
    out = capsys.readouterr().out.splitlines()
    escaped = ["+new \\x07bell \\x1b[31mred", " é😀 wide", "+\\x0bvt\\x0cff\\r"]
    assert out == ["--- a/x", "+++ b/x", "@@ -1 +1 @@", "-old", *escaped]
    assert not any(ch in "".join(out) for ch in "\x07\x1b\x0b\x0c\r")


def test_module_imports_no_yaml_library_at_start_up() -> None:
    code = "import sys, lineage_setup.cli; print(sorted(m for m in ('yaml', 'ruamel.yaml') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert ge_edits.ACTION_MODULE == "openlineage.common.provider.great_expectations"


def test_a_re_run_that_changes_nothing_imports_no_yaml_library_nor_what_only_writing_needs(tmp_path: Path) -> None:
    """The no-op re-run over a project as GE writes it (checkpoints with `{}` and `[]`, a UUID instance_id)
    reads every file by its lines and describes no edit: PyYAML, ruamel.yaml, the edit engine (yaml_write,
    yaml_ops, yaml_nodes, yaml_marks, yaml_proof), the status report, keyless removal, templates' resources,
    tempfile, json, shlex and the utf-8-sig codec stay unimported (each costs start-up; tests/bench/ge_checkpoints.py
    times it)."""
    from .bench.ge_checkpoints import make_project

    make_project(tmp_path / "p", 3)
    args = ["great-expectations", "--dir", str(tmp_path / "p"), *CONN, "--yes"]
    assert cli(args).exit_code == 0
    watched = (
        "yaml",
        "ruamel.yaml",
        "lineage_setup.edits.yaml_write",
        "lineage_setup.edits.yaml_ops",
        "lineage_setup.edits.yaml_nodes",
        "lineage_setup.edits.yaml_marks",
        "lineage_setup.edits.yaml_proof",
        "lineage_setup.integrations.great_expectations.report",
        "lineage_setup.integrations.great_expectations.unsplice",
        "importlib.resources",
        "tempfile",
        "encodings.utf_8_sig",
        "json",
        "shlex",
    )
    code = (
        "import sys\nfrom lineage_setup.cli import main\n"
        f"sys.argv = ['lineage-setup', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {watched!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Nothing to change" in done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_patching_plain_checkpoints_needs_no_yaml_library(tmp_path: Path) -> None:
    """The first run over a project as GE writes it edits every file, proves each edit and shows the diffs
    with their secrets masked, all from the files' lines (yaml_lines, yaml_marks): PyYAML and ruamel.yaml are
    never imported. The edits are then read back by PyYAML: each checkpoint runs the action once."""
    import yaml

    from .bench.ge_checkpoints import make_project

    make_project(tmp_path / "p", 3)
    args = ["great-expectations", "--dir", str(tmp_path / "p"), *CONN, "--yes"]
    code = (
        "import sys\nfrom lineage_setup.cli import main\n"
        f"sys.argv = ['lineage-setup', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('yaml', 'ruamel.yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "+  - name: openlineage" in done.stdout and done.stdout.strip().splitlines()[-1] == "[]"
    checkpoints = sorted((tmp_path / "p" / "great_expectations" / "checkpoints").glob("*.yml"))
    read = [yaml.safe_load(path.read_text()) for path in checkpoints]
    v3 = [data for data in read if data.get("class_name") == "Checkpoint"]
    assert v3 and all([a["name"] for a in c["action_list"]].count("openlineage") == 1 for c in v3)


# --- found in review ---------------------------------------------------------------------------

OLD_LEGACY = (  # GE 0.13's `checkpoint new`: no class_name, no config_version
    "# This checkpoint was created by the command `great_expectations checkpoint new`.\n"
    "validation_operator_name: action_list_operator\n"
    "batches:\n  - batch_kwargs: {datasource: legacy, data_asset_name: users}\n    expectation_suite_names: [users]\n"
)


def test_checkpoint_without_class_name_or_config_version_is_legacy(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"old": OLD_LEGACY})
    result = _run(root, "--yes")
    assert result.exit_code == 0, result.output
    assert "action_list" not in _checkpoint(root, "old")  # GE ignores an action_list on a legacy one
    config = yaml.safe_load((root / "great_expectations" / "great_expectations.yml").read_text())
    assert _has_action(config["validation_operators"]["action_list_operator"])


def test_action_inside_a_validation_is_refused_not_doubled(tmp_path: Path) -> None:
    text = V3.format(name="twice") + (
        "validations:\n  - expectation_suite_name: s\n    action_list:\n"
        "      - name: lineage\n        action:\n          class_name: OpenLineageValidationAction\n"
    )
    root = _project(tmp_path / "p", {"twice": text})
    before = tree(root)
    result = _run(root, "--yes")
    assert result.exit_code == 3
    assert "validation 1 runs OpenLineage's action in its own action_list" in result.stderr
    assert tree(root) == before


@pytest.mark.parametrize("pin", ["great_expectations==0.15.20", "great-expectations==0.14.5"])
def test_a_supported_ge_pin_gets_no_warning(tmp_path: Path, pin: str) -> None:
    root = _project(tmp_path / "p")
    (root / "requirements.txt").write_text(pin + "\n")
    assert "runs only on" not in _run(root, "--dry-run").stderr


@pytest.mark.parametrize(
    ("config", "checkpoint", "message"),
    [
        ('config_version: "4.0"\n', None, "cannot set up its GX 1.x checkpoints: it has no stores.checkpoint_store"),
        ("config_version: 3.0\n", "sub/c2.json", "it has JSON checkpoints (as GX 1.x writes) but config_version 3.0"),
        ("config_version: four\n", None, "config_version is 'four', not a number"),
    ],
)
def test_gx1_and_unknown_projects_are_told_apart(
    tmp_path: Path, config: str, checkpoint: str | None, message: str
) -> None:
    root = _project(tmp_path / "p", config=config)
    if checkpoint:
        path = root / "great_expectations" / "checkpoints" / checkpoint
        path.parent.mkdir(parents=True)
        path.write_text("{}")
    before = tree(root)
    result = _run(root, "--yes")
    assert result.exit_code == 3
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert tree(root) == before


def test_old_key_under_the_users_variable_is_masked_in_the_diff(tmp_path: Path) -> None:
    text = V3.format(name="team") + (
        "  - name: openlineage\n    action:\n      class_name: OpenLineageValidationAction\n"
        "      openlineage_apiKey: ${TEAM_LINEAGE_TOKEN}\n"
    )
    root = _project(tmp_path / "p", {"team": text})
    (root / "great_expectations" / "uncommitted" / "config_variables.yml").write_text(
        'TEAM_LINEAGE_TOKEN: "previous-team-secret-9f8e7d"\n'
    )
    result = _run(root, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "-TEAM_LINEAGE_TOKEN: ****" in result.stdout or '-TEAM_LINEAGE_TOKEN: "****"' in result.stdout
    assert "previous-team-secret" not in result.output


def test_kept_job_name_is_said(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    assert _run(root, "--yes", "--job-name", "jn").exit_code == 0
    assert "kept job_name: jn (pass --job-name to change it)" in _run(root, "--check").stdout
