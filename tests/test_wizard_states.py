"""The wizard's lineage states: where a project's config sends, compared with the endpoint being set up
("configured" there, "configured elsewhere" otherwise), what the checkbox list ticks, and a second run that has
nothing to change for a project already configured for the endpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pytest
import yaml

from lineage_setup import answers, runner, wizard
from lineage_setup.integrations.base import Project, same_endpoint

from .helpers import CANARY, cli, tree
from .test_answers import FakePrompter
from .test_wizard_interactive import spawn_wizard

URL = "https://lineage.example.com"
CONN = ["--url", URL, "--api-key", CANARY]
HERE, OTHER = f"{URL}/api/v1/lineage", "https://other.example.com/api/v1/lineage"
HAND_WRITTEN = "transport:\n  type: http\n  url: {url}\n  endpoint: {endpoint}\n"


def _repo(root: Path, current_url: str = URL) -> Path:
    """A dbt project sending elsewhere (hand-written), one set up for current_url by `lineage-setup dbt`, and
    one with no lineage config."""
    for name in ("elsewhere", "current", "fresh"):
        (root / name).mkdir(parents=True)
        (root / name / "dbt_project.yml").write_text(f"name: {name}\nprofile: {name}\n")
    (root / "elsewhere" / "openlineage.yml").write_text(
        HAND_WRITTEN.format(url="https://other.example.com", endpoint="api/v1/lineage")
    )
    setup = cli(
        [
            "dbt",
            "--dir",
            str(root / "current"),
            "--url",
            current_url,
            "--api-key",
            CANARY,
            "--namespace",
            "current",
            "--yes",
        ]
    )
    assert setup.exit_code == 0, setup.output
    return root


def _found(root: Path, *args: str) -> dict[str, str]:
    result = cli(["init", "--dir", str(root), "--dry-run", "--json", *args])
    assert result.exit_code == 0, result.output
    return {found["path"]: found["lineage"] for found in json.loads(result.stdout)["found"]}


def _table(text: str) -> dict[str, str]:
    """path -> lineage, from the text table (kind, name, path, lineage, found)."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.startswith("dbt ")]
    return {row[2]: row[3] for row in rows}


EXPECTED = {"current": "configured", "elsewhere": "configured elsewhere", "fresh": "not configured"}


def test_states_compared_with_the_endpoint_in_json_and_in_the_table(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    assert _found(root, *CONN, "--replace") == EXPECTED
    text = cli(["init", "--dir", str(root), *CONN, "--replace", "--dry-run"])
    assert text.exit_code == 0, text.output
    assert _table(text.stdout) == EXPECTED
    assert f"configured elsewhere: sends to {OTHER}" in text.stdout  # the project's heading says where


def test_the_other_endpoint_turns_the_states_round(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    other = ["--url", "https://other.example.com", "--api-key", CANARY, "--replace"]
    assert _found(root, *other) == {
        "current": "configured elsewhere",
        "elsewhere": "configured",
        "fresh": EXPECTED["fresh"],
    }


def test_without_a_flag_the_saved_endpoint_is_the_one_compared(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    saved = tmp_path / "settings.toml"
    saved.write_text('url = "https://other.example.com"\nendpoint = "api/v1/lineage"\n')
    result = cli(
        ["init", "--dir", str(root), "--api-key", CANARY, "--replace", "--dry-run", "--json"],
        env={"LINEAGE_SETUP_CONFIG": str(saved)},
    )
    assert result.exit_code == 0, result.output
    found = {f["path"]: f["lineage"] for f in json.loads(result.stdout)["found"]}
    assert found == {"current": "configured elsewhere", "elsewhere": "configured", "fresh": "not configured"}


def test_a_second_run_for_the_current_one_has_nothing_to_change(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    before = tree(root)
    again = cli(["init", "--dir", str(root), *CONN, "--only", "current", "--yes"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(root) == before


def test_after_setting_up_all_three_every_one_is_configured_and_nothing_changes(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    first = cli(["init", "--dir", str(root), *CONN, "--replace", "--yes"])
    assert first.exit_code == 0, first.output
    assert _found(root, *CONN) == dict.fromkeys(EXPECTED, "configured")
    settled = tree(root)
    again = cli(["init", "--dir", str(root), *CONN, "--yes"])  # no --replace needed: nothing sends elsewhere now
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(root) == settled


@pytest.mark.parametrize(
    ("url", "endpoint", "state"),
    [
        ("https://LINEAGE.example.com:443/", "api/v1/lineage/", "configured"),  # the same endpoint, spelled otherwise
        ("http://lineage.example.com", "api/v1/lineage", "configured elsewhere"),  # another scheme
        ("https://lineage.example.com:8443", "api/v1/lineage", "configured elsewhere"),  # another port
        ("https://lineage.example.com", "api/v2/lineage", "configured elsewhere"),  # another path
    ],
)
def test_a_hand_written_config_is_compared_by_where_it_sends(
    tmp_path: Path, url: str, endpoint: str, state: str
) -> None:
    root = tmp_path / "repo"
    (root / "p").mkdir(parents=True)
    (root / "p" / "dbt_project.yml").write_text("name: p\nprofile: p\n")
    (root / "p" / "openlineage.yml").write_text(HAND_WRITTEN.format(url=url, endpoint=endpoint))
    assert _found(root, *CONN, "--replace") == {"p": state}


GE_CONFIG = """\
config_version: 3.0
stores:
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: checkpoints/
checkpoint_store_name: checkpoint_store
"""
CHECKPOINT = "name: c\nconfig_version: 1.0\nclass_name: Checkpoint\naction_list: []\n"
KINDS = {  # files that make the kind, and the per-tool command that sets it up in folder {d}
    "airflow": (
        {"requirements.txt": "apache-airflow==2.9.3\n"},
        ["airflow", "--dir", "{d}", "--airflow-version", "2.9.3"],
    ),
    "astro": ({"Dockerfile": "FROM quay.io/astronomer/astro-runtime:12.1.0\n"}, ["airflow", "--dir", "{d}"]),
    "spark": ({"spark-defaults.conf": ""}, ["spark", "--spark-conf", "{d}/spark-defaults.conf"]),
    "ge": (
        {
            "great_expectations/great_expectations.yml": GE_CONFIG,
            "great_expectations/checkpoints/c.yml": CHECKPOINT,
        },
        ["great-expectations", "--dir", "{d}"],
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_whose_destination_its_files_show_is_compared(tmp_path: Path, kind: str) -> None:
    """Airflow's .env (plain, and Astro's added destination), the Spark conf, GE's checkpoint action: each set up
    by its own command for this endpoint or another, then compared by the wizard."""
    files, command = KINDS[kind]
    root = tmp_path / "repo"
    for folder, url in (("here", URL), ("there", "https://other.example.com")):
        for rel, text in files.items():
            (root / folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / folder / rel).write_text(text)
        args = [a.format(d=root / folder) for a in command]
        setup = cli([*args, "--url", url, "--api-key", CANARY, "--namespace", "ns", "--yes"])
        assert setup.exit_code == 0, setup.output
    assert _found(root, *CONN, "--replace", "--namespace", "ns") == {
        "here": "configured",
        "there": "configured elsewhere",
    }


def test_states_other_than_sending_are_left_as_they_are() -> None:
    sends = (("sends to", OTHER),)
    assert Project("x", Path("."), state="configured", facts=sends).against(HERE).state == "configured elsewhere"
    for state in ("not configured", "automatic", "unknown"):  # a Spark conf with no listener, say
        assert Project("x", Path("."), state=state, facts=sends).against(HERE).state == state  # type: ignore[arg-type]
    unreadable = Project("x", Path("."), state="configured", facts=(("init script", "ours"),))  # Databricks
    assert unreadable.against(HERE).state == "configured"
    both = Project("x", Path("."), state="configured", facts=(("also sends to", OTHER), ("also sends to", HERE)))
    assert both.against(HERE).state == "configured"  # ours beside another: configured
    assert same_endpoint("https://h.example/api/v1/lineage", "HTTPS://h.example:443/api/v1/lineage/")
    assert not same_endpoint("https://h.example/api/v1/lineage", "https://h.example:80/api/v1/lineage")


# --- the checkbox list ------------------------------------------------------------------------------


class Picker(FakePrompter):
    """Accepts the checkbox list as ticked, and keeps what it offered."""

    offered: list[tuple[str, str, bool]]

    def choose_many(self, message: str, choices: Sequence[tuple[str, str, bool]]) -> list[str]:
        self.offered = list(choices)
        return [value for value, _, ticked in choices if ticked]


def _run(root: Path, flags: answers.Flags, prompter: Picker) -> dict[str, bool]:
    args = wizard.InitArgs(root, runner.Mode(), flags)
    assert wizard.run(args, {"HOME": str(root.parent)}, prompter) == 0
    return {value.split(":", 1)[1]: ticked for value, _, ticked in prompter.offered}


def test_the_endpoint_known_ticks_what_is_not_configured_for_it(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    before = tree(root / "current")
    picker = Picker({"API key": CANARY, "Namespace": "", "already sends": "replace"}, {"test event": False})
    ticked = _run(root, answers.Flags(url=URL), picker)
    assert ticked == {"current": False, "elsewhere": True, "fresh": True}
    assert [q for q in picker.asked if "already sends" in q] == [f"This project already sends lineage to {OTHER}."]
    assert tree(root / "current") == before
    assert _sends(root / "elsewhere") == HERE


def test_the_endpoint_still_to_be_asked_ticks_what_sends_and_compares_once_answered(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    before = tree(root / "current")
    replies = {
        "Where should lineage go": "custom",
        "URL": URL,
        "API key": CANARY,
        "Namespace": "",
        "already": "replace",
    }
    picker = Picker(replies, {"test event": False})
    ticked = _run(root, answers.Flags(), picker)
    assert ticked == {"current": True, "elsewhere": True, "fresh": True}  # nothing to compare with yet
    assert [q for q in picker.asked if "already sends" in q] == [f"This project already sends lineage to {OTHER}."]
    assert tree(root / "current") == before  # planned, and nothing to change there
    assert _sends(root / "elsewhere") == HERE


def _sends(project: Path) -> str:
    transport = yaml.safe_load((project / "openlineage.yml").read_text())["transport"]
    transport = transport.get("transport", transport)  # inside the namespace transform
    return f"{transport['url'].rstrip('/')}/{transport['endpoint']}"


def test_in_a_terminal_enter_keeps_the_ticks_and_the_current_project_is_left_alone(tmp_path: Path) -> None:
    """questionary's checkbox in a pty: Enter accepts the ticks; only the two not set up for the endpoint go on."""
    root = _repo(tmp_path / "repo")
    before = tree(root / "current")
    child, transcript = spawn_wizard(["init", "--url", URL], root, tmp_path)
    child.expect("Set up which projects")
    child.expect("fresh")
    child.send("\r")
    child.expect("API key")
    child.sendline(CANARY)
    child.expect("Namespace for dbt elsewhere")
    child.sendline("")
    child.expect("Namespace for dbt fresh")
    child.sendline("")
    child.expect("already sends lineage to https://other.example.com")
    child.send("\x1b[B\r")  # Replace
    child.expect("Apply 4 files")
    child.send("y")
    child.expect("Send a test event")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    text = "".join(transcript)
    assert child.exitstatus == 0, text
    assert "Namespace for dbt current" not in text
    assert CANARY not in text  # typed at the hidden prompt, never echoed or shown
    assert tree(root / "current") == before
    assert _sends(root / "elsewhere") == HERE and _sends(root / "fresh") == HERE


def test_the_wizard_warns_about_a_key_file_others_can_read(tmp_path: Path) -> None:
    astro = tmp_path / "astro"
    astro.mkdir()
    (astro / "Dockerfile").write_text("FROM quay.io/astronomer/astro-runtime:3.0.4\n")
    (astro / ".env").write_text("A=1\n")
    (astro / ".env").chmod(0o644)  # as `astro dev init` may leave it; it is about to hold the key
    result = cli(["init", "--dir", str(tmp_path), *CONN, "--dry-run"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "warning: astro/.env is readable by other users (mode 644); run: chmod 600 astro/.env" in result.stderr


def test_a_plain_airflow_version_is_said_to_come_from_the_file_it_was_read_from(tmp_path: Path) -> None:
    (tmp_path / "af").mkdir()
    (tmp_path / "af" / "requirements.txt").write_text("apache-airflow==2.9.3\n")
    result = cli(["init", "--dir", str(tmp_path), *CONN, "--namespace", "n", "--dry-run"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Plain Airflow 2.9 (from requirements.txt)" in result.stdout
    assert "(--airflow-version)" not in result.stdout


def test_the_same_endpoint_written_otherwise_needs_no_add_or_replace(tmp_path: Path) -> None:
    """The table and the run agree: `https://LINEAGE.example.com:443/` is this endpoint, so no --add/--replace
    question (without a terminal, a refusal) comes, and no second destination is written."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "dbt_project.yml").write_text("name: p\nprofile: p\n")
    written = HAND_WRITTEN.format(url="https://LINEAGE.example.com:443/", endpoint="api/v1/lineage")
    (tmp_path / "p" / "openlineage.yml").write_text(written)
    assert _found(tmp_path, *CONN) == {"p": "configured"}
    result = cli(["init", "--dir", str(tmp_path), *CONN, "--no-input", "--dry-run"])
    assert result.exit_code == 0, result.stdout + result.stderr
    single = cli(["dbt", "--dir", str(tmp_path / "p"), *CONN, "--namespace", "p", "--dry-run"])
    assert single.exit_code == 0 and "composite" not in single.stdout
