"""Great Expectations projects with hostile settings, for GE 0.x and GX 1.x alike: each is exit 2 or 3 with
one line saying what is wrong (never a traceback or "internal error"), and nothing is written. The key
never lands in a file not meant for it: not in great_expectations.yml or another project file, not
through a linked folder, not where a deeper .gitignore rule un-ignores it.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from lineage_setup.integrations.great_expectations import project as ge_project

from .helpers import CANARY, CONN, cli, git, tree

V0_CONFIG = "config_version: 3.0\n"
V0_CHECKPOINT = "name: c\nconfig_version: 1.0\nclass_name: Checkpoint\naction_list: []\n"
GX1_CONFIG = """\
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: checkpoints/
checkpoint_store_name: checkpoint_store
"""
GX1_CHECKPOINT = '{\n  "actions": [],\n  "name": "c",\n  "validation_definitions": []\n}'
STORE = (
    "checkpoint_store_name: checkpoint_store\n"
    "stores: {checkpoint_store: {class_name: CheckpointStore, "
    "store_backend: {class_name: TupleFilesystemStoreBackend%s}}}\n"
)


def _project(root: Path, generation: str, lines: str) -> Path:
    """A project of that generation, with `lines` replacing the settings of the same names."""
    folder = "great_expectations" if generation == "0.x" else "gx"
    config = V0_CONFIG if generation == "0.x" else GX1_CONFIG
    names = {line.split(":", 1)[0] for line in lines.splitlines() if line and not line.startswith(" ")}
    kept, skipping = [], False
    for line in config.splitlines():
        top = not line.startswith(" ")
        skipping = (line.split(":", 1)[0] in names) if top else skipping
        if not skipping:
            kept.append(line)
    ge = root / folder
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "uncommitted").mkdir()
    (ge / "great_expectations.yml").write_text("\n".join(kept) + "\n" + lines)
    (ge / ".gitignore").write_text("uncommitted/\n")
    name, text = ("c.yml", V0_CHECKPOINT) if generation == "0.x" else ("c.json", GX1_CHECKPOINT)
    (ge / "checkpoints" / name).write_text(text)
    return root


BAD = [
    ('config_variables_file_path: "a\\x00b.yml"\n', "config_variables_file_path holds a NUL character"),
    ("checkpoint_store_name: [a]\nstores: {}\n", "checkpoint_store_name is ['a'], where GE expects text"),
    (STORE % ", base_directory: 5", "stores.checkpoint_store.store_backend.base_directory is 5, where GE expects text"),
    (
        "checkpoint_store_name: checkpoint_store\nstores: {checkpoint_store: {class_name: {}}}\n",
        "stores.checkpoint_store.class_name is {}, where GE expects text",
    ),
    ("stores: [checkpoint_store]\n", "stores is ['checkpoint_store'], where GE expects a mapping"),
    ("config_variables_file_path: [x]\n", "config_variables_file_path is ['x'], where GE expects text"),
    ("config_variables_file_path: " + "v" * 300 + ".yml\n", "File name too long"),
    ("config_variables_file_path: great_expectations.yml\n", "which is {folder}/great_expectations.yml"),
    ("config_variables_file_path: checkpoints/{checkpoint}\n", "which is {folder}/checkpoints/{checkpoint}"),
]
GX1_ONLY = [
    ("plugins_directory: [p]\n", "plugins_directory is ['p'], where GE expects text"),
    ("config_variables_file_path: plugins/openlineage_gx.py\n", "which is gx/plugins/openlineage_gx.py"),
    ("plugins_directory: /opt/plugins\n", "plugins_directory '/opt/plugins' is not a folder inside the project"),
]
CASES = [(g, lines, message) for g in ("0.x", "1.x") for lines, message in BAD] + [("1.x", *c) for c in GX1_ONLY]


@pytest.mark.parametrize(("generation", "lines", "message"), CASES)
def test_hostile_settings_are_one_line_refusals(tmp_path: Path, generation: str, lines: str, message: str) -> None:
    folder, checkpoint = ("great_expectations", "c.yml") if generation == "0.x" else ("gx", "c.json")
    lines = lines.replace("{checkpoint}", checkpoint)
    root = _project(tmp_path / "p", generation, lines)
    before = tree(root)
    result = cli(["gx", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code in (2, 3), result.output
    first = result.stderr.splitlines()[0]
    expected = message.replace("{folder}", folder).replace("{checkpoint}", checkpoint)
    assert first.startswith("lineage-setup: ") and expected in first
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert CANARY not in result.output
    assert tree(root) == before


@pytest.mark.parametrize("generation", ["0.x", "1.x"])
def test_a_checkpoint_folder_that_cannot_be_entered_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generation: str
) -> None:
    """chmod 000 stops only a non-root user (root enters any folder), so the refusal a non-root user gets
    from the file system is simulated: looking up a name in the folder fails with EACCES."""
    root = _project(tmp_path / "p", generation, "")
    real_lstat = os.lstat

    def lstat(path: os.PathLike[str] | str, *args: object, **kwargs: object) -> os.stat_result:
        if Path(path).name == ge_project.PROBE:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    before = tree(root)
    result = cli(["gx", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 3, result.output
    assert "cannot look inside this checkpoint folder" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.output
    assert tree(root) == before


@pytest.mark.parametrize("generation", ["0.x", "1.x"])
def test_a_linked_folder_on_the_way_to_the_key_file_is_refused(tmp_path: Path, generation: str) -> None:
    root = _project(tmp_path / "p", generation, "")
    folder = root / ("great_expectations" if generation == "0.x" else "gx")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (folder / "uncommitted").rmdir()
    (folder / "uncommitted").symlink_to(outside, target_is_directory=True)
    before = tree(root)
    result = cli(["gx", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 3, result.output
    assert f"{folder / 'uncommitted'} is a symbolic link" in result.stderr
    assert "the API key would be written outside the project" in result.stderr
    assert tree(root) == before and list(outside.iterdir()) == []


@pytest.mark.parametrize("generation", ["0.x", "1.x"])
def test_a_deeper_negation_that_unignores_the_key_file_is_refused_naming_the_line(
    tmp_path: Path, generation: str
) -> None:
    """GE's own `uncommitted/` would hide any rule inside it (git does not look into an excluded folder);
    `uncommitted/*` does not, so a `!config_variables.yml` there un-ignores the key's file."""
    root = _project(tmp_path / "p", generation, "")
    folder = root / ("great_expectations" if generation == "0.x" else "gx")
    (folder / ".gitignore").write_text("uncommitted/*\n!uncommitted/.gitignore\n")
    (folder / "uncommitted" / ".gitignore").write_text("# keep them in git (a mistake)\n!config_variables.yml\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    before = tree(root)
    result = cli(["gx", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 3, result.output
    rule = f"{folder / 'uncommitted' / '.gitignore'}:2: !config_variables.yml un-ignores it"
    assert rule in result.stderr
    assert tree(root) == before
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""
