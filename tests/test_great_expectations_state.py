"""What lineage-setup says about a Great Expectations project before and after it changes anything: the wizard's
detection (name, generation, release, state, where the action sends: the runner asks --add or --replace from
that), --add refused with the alternative, and `status`: each checkpoint's destination, the key's source as GE
resolves `${OPENLINEAGE_API_KEY}`, the client config that wins over the action's host, and the problems."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup.integrations.great_expectations import state
from lineage_setup.workspace import Workspace

from .golden_cases import Case
from .helpers import CANARY, CONN, cli, files, git

CONFIG = """\
config_version: 3.0
config_variables_file_path: uncommitted/config_variables.yml
stores:
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: checkpoints/
checkpoint_store_name: checkpoint_store
"""
ACTION = """\
name: {name}
config_version: 1.0
class_name: {cls}
action_list:
  - name: openlineage
    action:
      class_name: OpenLineageValidationAction
      module_name: openlineage.common.provider.great_expectations
{lines}"""
PLAIN = "name: {name}\nconfig_version: 1.0\nclass_name: Checkpoint\naction_list: []\n"


def _project(root: Path, checkpoints: dict[str, str], variables: str | None = "instance_id: 1\n") -> Path:
    ge = root / "great_expectations"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "great_expectations.yml").write_text(CONFIG)
    (ge / ".gitignore").write_text("uncommitted/\n")
    if variables is not None:
        (ge / "uncommitted").mkdir()
        (ge / "uncommitted" / "config_variables.yml").write_text(variables)
        (ge / "uncommitted" / "config_variables.yml").chmod(0o600)
    for name, text in checkpoints.items():
        (ge / "checkpoints" / f"{name}.yml").write_text(text)
    return root


def _action(name: str, cls: str = "Checkpoint", **values: str) -> str:
    lines = "".join(f"      {key}: {value}\n" for key, value in values.items())
    return ACTION.format(name=name, cls=cls, lines=lines)


def _detect(root: Path) -> tuple[str, dict[str, list[str]]]:
    (found,) = state.detect(Workspace(root))
    facts: dict[str, list[str]] = {}
    for name, value in found.facts:
        facts.setdefault(name, []).append(value)
    return found.state, facts


def _status(root: Path, env: dict[str, str] | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = cli(["status", "--dir", str(root), "--json"], env=env)
    assert CANARY not in result.stdout + result.stderr
    (entry,) = json.loads(result.stdout)["status"]
    entry["values"] = {}
    for setting in entry["settings"]:
        entry["values"].setdefault(setting["name"], []).append((setting["value"], setting["source"]))
    return result.exit_code, entry


# --- detection -----------------------------------------------------------------------------------------------


def test_not_a_project_is_nothing(tmp_path: Path) -> None:
    (tmp_path / "great_expectations.yml.bak").write_text("x")
    assert state.detect(Workspace(tmp_path)) == ()


@pytest.mark.parametrize(
    ("host", "sends_to"),
    [
        ('"https://h.example"', "https://h.example/api/v1/lineage"),
        ('"https://h.example/proxy/"', "https://h.example/proxy/api/v1/lineage"),
        ('"https://h.example/proxy"', "https://h.example/api/v1/lineage"),  # the client's urljoin drops it
        ("${OL_HOST}", "https://from-variables.example/api/v1/lineage"),  # filled in from config_variables.yml
    ],
)
def test_sends_to_is_where_the_action_posts(tmp_path: Path, host: str, sends_to: str) -> None:
    root = _project(tmp_path / "analytics", {"daily": _action("daily", openlineage_host=host)},
                    variables="OL_HOST: https://from-variables.example\n")  # fmt: skip
    found_state, facts = _detect(root)
    assert found_state == "configured"
    assert facts["sends to"] == [sends_to]
    assert facts["generation"] == ["GE 0.x"]
    assert state.detect(Workspace(root))[0].name == "analytics"  # the folder around great_expectations/


def test_an_action_without_a_host_sends_nowhere_the_files_say(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_namespace="n")})
    assert _detect(root) == ("configured", {"generation": ["GE 0.x"]})


def test_not_configured_and_the_version_from_requirements_or_a_venv(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": PLAIN.format(name="daily")})
    assert _detect(root) == ("not configured", {"generation": ["GE 0.x"]})
    (root / "requirements.txt").write_text("pandas\ngreat-expectations==0.15.34  # pinned\n")
    assert _detect(root)[1]["great_expectations"] == ["0.15.34 (requirements.txt)"]
    metadata = root / ".venv" / "lib" / "python3.11" / "site-packages" / "great_expectations-0.15.50.dist-info"
    metadata.mkdir(parents=True)
    (metadata / "METADATA").write_text("Name: great-expectations\nVersion: 0.15.50\n")
    assert _detect(root)[1]["great_expectations"] == ["0.15.50 (installed in .venv)"]  # what imports there


def test_gx1_is_told_apart_and_its_url_and_endpoint_are_joined(tmp_path: Path) -> None:
    case = Case("gx1", "gx-written")
    root = case.copy_before(tmp_path / "p")
    assert _detect(root) == ("not configured", {"generation": ["GX 1.x"]})
    assert cli(["gx", "--dir", str(root), *CONN, "--backend", "openmetadata", "--yes"]).exit_code == 0
    assert _detect(root) == (
        "configured",
        {"generation": ["GX 1.x"], "sends to": ["https://lineage.example.com/api/v1/openlineage/lineage"]},
    )


def test_a_config_that_does_not_parse_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "great_expectations.yml").write_text("config_version: [\n")
    (found,) = state.detect(Workspace(tmp_path))
    assert found.state == "unknown"


def test_thousands_of_checkpoints_are_read_by_their_host_line(tmp_path: Path) -> None:
    """The quick scan takes a plain `openlineage_host:` line as it is; anything else is read whole."""
    checkpoints = {f"c{n}": _action(f"c{n}", openlineage_host='"https://a.example"') for n in range(300)}
    checkpoints["odd"] = _action("odd", openlineage_host="'https://b.example' # a comment")
    in_validation = (
        "    - {name: x, action: {class_name: OpenLineageValidationAction, openlineage_host: 'https://d.example'}}"
    )
    checkpoints["twice"] = _action("twice", openlineage_host='"https://c.example"').replace(
        "action_list:", f"validations:\n  - action_list:\n{in_validation}\naction_list:"
    )
    root = _project(tmp_path / "p", checkpoints)
    assert _detect(root)[1]["sends to"] == [f"https://{host}.example/api/v1/lineage" for host in "abcd"]


# --- another destination: --add refused, --replace asked for -------------------------------------------------


@pytest.mark.parametrize("case", [Case("great_expectations", "ge-generated"), Case("gx1", "gx-written")], ids=str)
def test_a_second_destination_is_refused_with_the_alternative(case: Case, tmp_path: Path) -> None:
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    set_up = files(root)
    other = ["--url", "https://other.example", "--namespace", "dev", "--api-key", CANARY]
    asked = cli(["gx", "--dir", str(root), *other, "--yes"])
    assert asked.exit_code == 2
    assert "--add" in asked.stderr and "--replace" in asked.stderr
    assert "https://lineage.example.com/api/v1/lineage" in asked.stderr
    added = cli(["gx", "--dir", str(root), *other, "--add", "--yes"])
    assert added.exit_code == 2
    message = " ".join(added.stderr.split())
    assert "sends to one host" in message and "composite" in message and "--replace" in message
    assert "lineage-setup dbt --print --format yaml --url https://other.example --endpoint api/v1/lineage" in message
    assert "OPENLINEAGE__TRANSPORT__" in message and "openlineage.yml" in message
    assert files(root) == set_up  # nothing written
    replaced = cli(["gx", "--dir", str(root), *other, "--replace", "--yes"])
    assert replaced.exit_code == 0, replaced.output
    assert _detect(root)[1]["sends to"] == ["https://other.example/api/v1/lineage"]


def test_add_with_nothing_to_add_beside_sets_up_as_usual(tmp_path: Path) -> None:
    case = Case("great_expectations", "ge-generated")
    root = case.copy_before(tmp_path / "p")
    result = case.run(root, "--add", "--yes")
    assert result.exit_code == 0, result.output
    assert _detect(root)[0] == "configured"


# --- status ---------------------------------------------------------------------------------------------------


def test_status_of_a_configured_project(tmp_path: Path) -> None:
    case = Case("great_expectations", "ge-generated")
    root = case.copy_before(tmp_path / "p")
    (root / "great_expectations" / "uncommitted" / "config_variables.yml").chmod(0o600)
    assert case.run(root, "--yes").exit_code == 0
    code, entry = _status(root)
    assert code == 0, entry["problems"]
    (sends,) = entry["values"]["sends to"]
    assert sends[0] == "https://lineage.example.com/api/v1/lineage"
    assert "validation operator action_list_operator (LegacyCheckpoints users_legacy)" in sends[1]
    assert "checkpoint users_daily" in sends[1]
    assert entry["values"]["api key"] == [
        ("..." + CANARY[-4:], "great_expectations/uncommitted/config_variables.yml (OPENLINEAGE_API_KEY)")
    ]
    assert entry["values"]["namespace"] == [("dev", "the action")]
    code, entry = _status(root, env={"OPENLINEAGE_API_KEY": "olk_from_env_9999"})
    assert code == 0
    (key,) = entry["values"]["api key"]
    assert key[0] == "...9999" and "environment; wins over" in key[1]  # GE prefers the environment


def test_status_names_the_checkpoints_without_the_action(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_host='"https://a.example"',
                                                      openlineage_namespace="n"),
                                     "adhoc": PLAIN.format(name="adhoc")})  # fmt: skip
    code, entry = _status(root)
    assert entry["values"]["no action"] == [("adhoc", "checkpoints that send no lineage")]
    assert code == 0


def test_status_of_a_project_without_the_action(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": PLAIN.format(name="daily")})
    code, entry = _status(root)
    assert code == 1
    assert any("no checkpoint runs an OpenLineage action" in p for p in entry["problems"])


def test_status_problems_each_with_its_fix(tmp_path: Path) -> None:
    checkpoints = {
        "plain": _action("plain", openlineage_host='"https://a.example"', openlineage_apiKey=CANARY),
        "missing": _action("missing", openlineage_host='"https://a.example"', openlineage_apiKey="${NOT_SET}"),
        "simple": _action("simple", "SimpleCheckpoint", openlineage_host='"https://a.example"'),
    }
    root = _project(tmp_path / "p", checkpoints)
    (root / "requirements.txt").write_text("great_expectations==0.16.0\nopenlineage-integration-common==1.40.0\n")
    code, entry = _status(root)
    assert code == 1
    problems = "\n".join(entry["problems"])
    assert "checkpoints/plain.yml holds an API key in plain text" in problems and "revoke" in problems
    assert "names NOT_SET, which neither" in problems and "MissingConfigVariableError" in problems
    assert "SimpleCheckpoint (simple)" in problems
    assert "great_expectations 0.16.0 (requirements.txt): the action runs on great_expectations 0.13.26" in problems
    assert "openlineage-integration-common==1.40.0" in problems and "gone from" in problems
    assert CANARY not in problems


def test_status_key_file_tracked_and_readable(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_host='"https://a.example"',
                                                      openlineage_apiKey="${OPENLINEAGE_API_KEY}")},
                    variables=f"OPENLINEAGE_API_KEY: {CANARY}\n")  # fmt: skip
    variables = root / "great_expectations" / "uncommitted" / "config_variables.yml"
    variables.chmod(0o644)
    git(root, "init", "-q")
    git(root, "add", "-f", str(variables))
    code, entry = _status(root)
    problems = "\n".join(entry["problems"])
    assert code == 1
    assert "git tracks it: git rm --cached great_expectations/uncommitted/config_variables.yml" in problems
    assert "others can read it: chmod 600" in problems


def test_status_client_config_wins_over_the_host(tmp_path: Path) -> None:
    """GE 0.x: openlineage-python takes its config's transport over the action's host (client.py,
    _resolve_transport): the events go there, and status says so."""
    root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_host='"https://a.example"')})
    (root / "openlineage.yml").write_text("transport:\n  type: http\n  url: https://yml.example\n")
    code, entry = _status(root)
    assert entry["values"]["sends to"][0][0] == "https://yml.example/api/v1/lineage"
    assert code == 1 and any("wins" not in p and "takes that over" in p for p in entry["problems"])
    os.remove(root / "openlineage.yml")
    code, entry = _status(root, env={"OPENLINEAGE__TRANSPORT__TYPE": "http",
                                     "OPENLINEAGE__TRANSPORT__URL": "https://env.example"})  # fmt: skip
    assert entry["values"]["sends to"][0][0] == "https://env.example/api/v1/lineage" and code == 1
    code, entry = _status(root, env={"OPENLINEAGE_URL": "https://url.example"})  # the host wins over this one
    assert entry["values"]["sends to"][0][0] == "https://a.example/api/v1/lineage" and code == 0


def test_status_without_a_host_follows_the_client(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_namespace="n")})
    code, entry = _status(root)
    assert code == 1 and any("events will be printed, not sent" in p for p in entry["problems"])
    code, entry = _status(root, env={"OPENLINEAGE_URL": "https://url.example", "OPENLINEAGE_API_KEY": CANARY})
    assert code == 0
    assert entry["values"]["sends to"][0] == ("https://url.example/api/v1/lineage", "OPENLINEAGE_URL: checkpoint daily")
    assert entry["values"]["api key"] == [("..." + CANARY[-4:], "OPENLINEAGE_URL")]


def test_status_gx1_without_what_loads_the_action(tmp_path: Path) -> None:
    case = Case("gx1", "gx-written")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    (root / "gx" / "uncommitted" / "config_variables.yml").chmod(0o600)
    assert _status(root)[0] == 0
    (root / "gx" / "plugins" / "openlineage_gx.py").unlink()
    config = root / "gx" / "great_expectations.yml"
    config.write_text(config.read_text().replace("    module_name: openlineage_gx\n", ""))
    code, entry = _status(root)
    problems = "\n".join(entry["problems"])
    assert code == 1
    assert "does not name module_name: openlineage_gx" in problems and "openlineage_gx.py is missing" in problems


def test_status_online_sends_one_test_run_to_the_action_s_host(tmp_path: Path) -> None:
    from .receiver import receiver

    with receiver() as got:
        root = _project(tmp_path / "p", {"daily": _action("daily", openlineage_host=f'"{got.url}"',
                                                          openlineage_apiKey="${OPENLINEAGE_API_KEY}")},
                        variables=f'OPENLINEAGE_API_KEY: "{CANARY}"\n')  # fmt: skip
        result = cli(["status", "--dir", str(root), "--online"])
    assert result.exit_code == 0, result.output
    assert got.requests and {r.path for r in got.requests} == {"/api/v1/lineage"}  # one test run
    assert {r.headers["Authorization"] for r in got.requests} == {f"Bearer {CANARY}"}


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "  openlineage_host: https://h.example.com",
                "      openlineage_host: 'https://q'  ",
                "- openlineage_host:",
                "# openlineage_host: https://commented",
                "x: openlineage_host: y",
                "openlineage_host:   a b  ",
                "name: c",
                "",
                "  - name: openlineage",
            ]
        ),
        max_size=8,
    ),
    st.booleans(),
)
def test_the_host_line_is_found_as_the_whole_text_search_finds_it(lines: list[str], final_newline: bool) -> None:
    """scan matches only the line of a single `openlineage_host:`; that is what matching the whole text finds."""
    from lineage_setup.integrations.great_expectations import scan

    text = "\n".join(lines) + ("\n" if final_newline else "")
    assert scan._host_lines(text) == scan._HOST_LINE.findall(text), text
