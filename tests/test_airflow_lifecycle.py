"""Airflow from detection to removal: what the wizard finds (Astro or plain, the version, the state, the facts),
what `status` says each project sends and what is wrong with it, and `remove` giving back every file as it was,
through the CLI (and its --json, checked against the schema kept in the package)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lineage_setup.integrations.airflow import state
from lineage_setup.workspace import Workspace

from .golden_cases import Case, cases
from .helpers import CANARY, CONN, cli, files, git

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))
ASTRO_92 = "FROM quay.io/astronomer/astro-runtime:9.2.0\n"
ASTRO_41 = "FROM quay.io/astronomer/astro-runtime:4.1.0\n"


def _write(root: Path, tree: dict[str, str]) -> Path:
    for rel, text in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _document(args: list[str]) -> dict[str, Any]:
    result = cli([*args, "--json"])
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code
    assert CANARY not in result.stdout + result.stderr
    return document  # type: ignore[no-any-return]


# --- detection ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (
            {"Dockerfile": ASTRO_92, ".astro/config.yaml": "project:\n  name: etl\n"},
            ("etl", "automatic", {"Astro Runtime": "9.2.0", "Airflow": "2.7"}, ()),
        ),
        ({"Dockerfile": ASTRO_41}, ("p", "not configured", {"Astro Runtime": "4.1.0", "Airflow": "2.2"}, ())),
        ({"Dockerfile": "FROM astrocrpublic.azurecr.io/runtime:3.1-12\n"}, ("p", "automatic", {"Airflow": "3.1"}, ())),
        (
            {"requirements.txt": "apache-airflow[celery]==2.7.3  # pinned\n"},
            (
                "p",
                "not configured",
                {"Airflow": "2.7"},
                (("airflow_version", "2.7.3"), ("airflow_version_from", "requirements.txt")),
            ),
        ),
        (
            {"Dockerfile": "FROM apache/airflow:slim-2.9.3-python3.11\n"},
            (
                "p",
                "not configured",
                {"Airflow": "2.9"},
                (("airflow_version", "2.9.3"), ("airflow_version_from", "Dockerfile line 1")),
            ),
        ),
        (
            {
                "requirements.txt": "-c https://raw.githubusercontent.com/apache/airflow/constraints-2.6.3/c-3.8.txt\n"
                "apache-airflow\n"
            },
            (
                "p",
                "not configured",
                {"Airflow": "2.6"},
                (("airflow_version", "2.6.3"), ("airflow_version_from", "the constraints file requirements.txt names")),
            ),
        ),
        ({"airflow.cfg": "[core]\nload_examples = False\n"}, ("p", "unknown", {"Airflow": "unknown"}, ())),
        ({"requirements.txt": "apache-airflow==1.10.15\n"}, ("p", "unknown", {"Airflow": "1.10.15"}, ())),
        ({".astro/config.yaml": "project:\n  name: etl\n"}, ("etl", "unknown", {"Airflow": "unknown"}, ())),
        ({"Dockerfile": "FROM quay.io/astronomer/astro-runtime:latest\n"}, ("p", "unknown", {}, ())),
    ],
)
def test_detect_reads_the_kind_the_version_and_the_state(
    tmp_path: Path, tree: dict[str, str], expected: tuple[str, str, dict[str, str], tuple[Any, ...]]
) -> None:
    (project,) = state.detect(Workspace(_write(tmp_path / "p", tree)))
    name, lineage, facts, options = expected
    assert (project.kind, project.name, project.state, project.options) == ("airflow", name, lineage, options)
    assert facts.items() <= dict(project.facts).items()
    assert bool(project.route) == (lineage == "unknown")  # what is missing, and what to do


@pytest.mark.parametrize(
    "tree",
    [{"requirements.txt": "pandas\n"}, {"Dockerfile": "FROM node:20\n"}, {"requirements.txt": "apache-airflowx\n"}],
)
def test_a_folder_that_is_no_airflow_project(tmp_path: Path, tree: dict[str, str]) -> None:
    assert state.detect(Workspace(_write(tmp_path / "p", tree))) == ()


def test_the_route_names_what_is_missing(tmp_path: Path) -> None:
    (project,) = state.detect(Workspace(_write(tmp_path / "p", {"airflow.cfg": "[core]\n"})))
    assert "apache-airflow==X.Y.Z" in project.route and "--airflow-version X.Y" in project.route


def test_configured_sends_to_and_cosmos_come_from_the_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENLINEAGE_URL", "https://from-the-shell.example")  # the run's, never a fact
    old = _write(tmp_path / "old", {"Dockerfile": ASTRO_41, ".env": "OPENLINEAGE_URL=https://a.example\n"})
    (found,) = state.detect(Workspace(old))
    assert (found.state, dict(found.facts)["sends to"]) == ("configured", "https://a.example/api/v1/lineage")
    sub = "OPENLINEAGE__TRANSPORT__TRANSPORTS__B__"
    astro = _write(
        tmp_path / "astro",
        {
            "Dockerfile": ASTRO_92,
            "requirements.txt": "astronomer-cosmos>=1.4\n",
            ".env": f"OPENLINEAGE__TRANSPORT__TYPE=composite\n{sub}TYPE=http\n{sub}URL=https://b.example\n",
        },
    )
    (found,) = state.detect(Workspace(astro))
    facts = dict(found.facts)
    assert found.state == "configured" and "sends to" not in facts  # Astro's composite is added to, never replaced
    assert facts["also sends to"] == "https://b.example/api/v1/lineage" and facts["runs dbt with"] == "Cosmos"
    (bare,) = state.detect(Workspace(_write(tmp_path / "bare", {"Dockerfile": ASTRO_41})))
    assert bare.state == "not configured" and "sends to" not in dict(bare.facts)


# --- the wizard, status and remove on a repository ------------------------------------------------------


def _monorepo(root: Path) -> Path:
    return _write(
        root,
        {
            "orchestration/Dockerfile": ASTRO_92,
            "orchestration/.astro/config.yaml": "project:\n  name: etl\n",
            "orchestration/requirements.txt": "astronomer-cosmos==1.8.0\n",
            "orchestration/.gitignore": ".env\n",
            "orchestration/dags/dbt/jaffle/dbt_project.yml": "name: jaffle\nprofile: jaffle\n",
            "legacy/requirements.txt": "apache-airflow==2.6.3\n",
            "legacy/airflow.cfg": "[core]\nload_examples = False\n",
            "other/requirements.txt": "pandas\n",
        },
    )


def test_init_status_remove_on_a_monorepo(tmp_path: Path) -> None:
    root = _monorepo(tmp_path / "repo")
    original = files(root)
    setup = ["init", "--dir", str(root), "--url", "https://lineage.example.com", "--api-key", CANARY, "--no-input"]
    init = _document([*setup, "--yes"])
    found = {f["path"]: f for f in init["found"]}
    assert set(found) == {"orchestration", "legacy", "orchestration/dags/dbt/jaffle"}
    assert found["orchestration/dags/dbt/jaffle"]["lineage"] == "automatic"  # Cosmos runs it inside Airflow
    assert (found["orchestration"]["name"], found["legacy"]["name"]) == ("etl", "legacy")
    assert found["legacy"]["facts"] == [{"name": "Airflow", "value": "2.6"}] and init["exit_code"] == 0
    assert "OPENLINEAGE_NAMESPACE=legacy" in (root / "legacy" / ".env").read_text()  # its own name
    assert "Nothing to change" in cli([*setup, "--yes"]).stdout
    status = _document(["status", "--dir", str(root)])
    by_path = {entry["path"]: entry for entry in status["status"]}
    assert by_path["legacy"]["problems"] == [] and by_path["orchestration"]["problems"] == []
    sends = [s["value"] for s in by_path["orchestration"]["settings"] if s["name"] == "sends to"]
    assert sends == ["Astro (its own lineage on the Deployment, under the Deployment's namespace)",
                     "https://lineage.example.com/api/v1/lineage"]  # fmt: skip
    removed = _document(["remove", "airflow", "dbt", "--dir", str(root), "--yes"])
    assert removed["exit_code"] == 0
    assert files(root) == original


def test_status_of_a_configured_a_half_configured_and_a_broken_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    good = _write(repo / "good", {"requirements.txt": "apache-airflow==2.9.3\n"})
    assert cli(["airflow", "--dir", str(good), *CONN, "--airflow-version", "2.9", "--yes"]).exit_code == 0
    _write(repo / "half", {"requirements.txt": "apache-airflow==2.9.3\n"})
    broken = _write(
        repo / "broken",
        {
            "Dockerfile": ASTRO_92 + 'ENV AIRFLOW__OPENLINEAGE__TRANSPORT=\'{"type": "console"}\'\n',
            "requirements.txt": "openlineage-airflow\n",
            ".env": f"AIRFLOW__LINEAGE__BACKEND=x\nOPENLINEAGE_URL=\"'https://q.example'\"\n"
            f'{"OPENLINEAGE__TRANSPORT__TRANSPORTS__X__"}URL="https://x.example" # team\n'
            f"OPENLINEAGE__TRANSPORT__TYPE=composite\nOPENLINEAGE__TRANSPORT__TRANSPORTS__X__TYPE=http\n"
            f"OPENLINEAGE__TRANSPORT__TRANSPORTS__X__AUTH__TYPE=api_key\n"
            f"OPENLINEAGE__TRANSPORT__TRANSPORTS__X__AUTH__API_KEY={CANARY}\n",
        },
    )
    (broken / ".env").chmod(0o644)
    text = cli(["status", "--dir", str(repo)])
    assert text.exit_code == 1, text.output
    assert CANARY not in text.output and f"...{CANARY[-4:]}" in text.stdout
    report = _document(["status", "--dir", str(repo)])
    by_path = {entry["path"]: entry for entry in report["status"]}
    assert by_path["good"]["problems"] == []
    assert by_path["half"]["problems"] == [
        "no transport is configured: the provider sends nothing; run lineage-setup airflow --dir "
        f"{repo / 'half'} --airflow-version 2.9.3"
    ]
    problems = "\n".join(by_path["broken"]["problems"])
    for expected in (
        "Dockerfile line 2 sets AIRFLOW__OPENLINEAGE__TRANSPORT, which overrides Astro's own lineage",
        "the transport is `console`: events are printed in the task logs, not sent",
        "OPENLINEAGE_URL (.env line 2) keeps quotes inside its value",
        "(.env line 3): `astro deployment variable create --load` keeps its quotes (or the comment after them)",
        "AIRFLOW__LINEAGE__BACKEND (.env line 1) is read by Airflow 2.1/2.2 only",
        "requirements.txt lists `openlineage-airflow`: from Airflow 2.7 the provider replaces it",
        ".env holds the API key and others can read it: chmod 600 .env",
    ):
        assert expected in problems
    assert report["exit_code"] == 1


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ("OPENLINEAGE_DISABLED=true\nOPENLINEAGE_URL=https://a.example\n", "OPENLINEAGE_DISABLED=true (.env line 1)"),
        ("AIRFLOW__OPENLINEAGE__DISABLED=True\nOPENLINEAGE_URL=https://a.example\n", "Airflow sends no lineage"),
        (f"OPENLINEAGE_URL=https://a.example\nOPENLINEAGE_API_KEY={CANARY}\n", "git tracks it: git rm --cached .env"),
    ],
)
def test_status_problems_switched_off_and_a_tracked_key(tmp_path: Path, env: str, problem: str) -> None:
    root = _write(tmp_path / "p", {"requirements.txt": "apache-airflow==2.9.3\n", ".env": env})
    (root / ".env").chmod(0o600)
    git(root, "init", "-q")
    git(root, "add", ".env")
    result = cli(["status", "--dir", str(root)])
    assert result.exit_code == 1 and problem in result.stdout, result.stdout


def test_status_for_plain_airflow_reads_the_environment_and_astro_does_not(tmp_path: Path) -> None:
    plain = _write(tmp_path / "repo" / "plain", {"requirements.txt": "apache-airflow==2.9.3\n"})
    _write(tmp_path / "repo" / "astro", {"Dockerfile": ASTRO_41})
    env = {"OPENLINEAGE_URL": "https://shell.example", "OPENLINEAGE_NAMESPACE": "from-shell"}
    report = json.loads(cli(["status", "--dir", str(tmp_path / "repo"), "--json"], env=env).stdout)
    by_path = {entry["path"]: {s["name"]: s for s in entry["settings"]} for entry in report["status"]}
    assert by_path["plain"]["sends to"]["value"] == "https://shell.example/api/v1/lineage"
    assert by_path["plain"]["namespace"]["source"] == "OPENLINEAGE_NAMESPACE (the environment)"
    assert "sends to" not in by_path["astro"]  # `astro dev` containers never see this shell's variables
    assert plain.exists()


# --- remove -------------------------------------------------------------------------------------------------

# setups that replace what the project had: remove cannot bring that back, and says so
REPLACED = {
    "astro-3.4.0-crlf-export": "its OPENLINEAGE_URL and requirement line were replaced (--replace)",
    "astro-9.2.0-astro-endpoint": "the TRANSPORT that replaced Astro's lineage was taken out",
    "astro-9.2.0-replaces-transport": "the TRANSPORT that replaced Astro's lineage was taken out",
    "astro-9.2.0-dockerfile-env-line": "the Dockerfile's ENV lines that replaced Astro's lineage were taken out",
}


@pytest.mark.parametrize(
    "case", [c for c in cases("airflow") if not c.refused and c.name not in REPLACED], ids=lambda c: c.name
)
def test_setup_then_remove_restores_every_byte(case: Case, tmp_path: Path) -> None:
    root = case.copy_before(tmp_path / "p")
    original = files(root)
    assert case.run(root, "--yes").exit_code == 0
    removed = cli(["remove", "airflow", "--dir", str(root), "--yes"])
    assert removed.exit_code == 0, removed.output
    assert CANARY not in removed.output
    assert files(root) == original
    assert "Nothing to change" in cli(["remove", "airflow", "--dir", str(root), "--yes"]).stdout


def test_remove_leaves_what_was_the_users_and_says_so(tmp_path: Path) -> None:
    case = Case("airflow", "astro-3.4.0-crlf-export")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    with (root / ".env").open("a", newline="") as env:
        env.write("MINE=1\r\n")  # a line of the user's under our header: the header stays with it
    removed = cli(["remove", "--dir", str(root), "--yes"])
    assert removed.exit_code == 0, removed.output
    text = (root / ".env").read_bytes().decode()
    assert "OPENLINEAGE_API_KEY" not in text and "# OpenLineage (lineage-setup airflow)\r\nMINE=1\r\n" in text
    assert "export OPENLINEAGE_URL=https://lineage.example.com" in text  # the user's line, its value ours
    assert ".env line 2 sets OPENLINEAGE_URL above lineage-setup's header" in removed.stdout
    assert "requirements.txt line 1: `openlineage-airflow<=1.14.0` is a pin lineage-setup writes" in removed.stdout


def test_remove_lists_the_deployment_variables_to_delete_even_from_a_fresh_clone(tmp_path: Path) -> None:
    case = Case("airflow", "astro-4.1.0")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    (root / ".env").unlink()  # .env is never committed: a fresh clone has only the pin
    result = cli(["remove", "--dir", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    steps = result.stdout[result.stdout.index("Still to undo") :]
    assert 'astro deployment variable list --deployment-id "${ASTRO_DEPLOYMENT_ID:?}"' in steps
    assert "AIRFLOW__LINEAGE__BACKEND, OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY" in steps
    assert "the Astro CLI has no command that deletes a Deployment variable" in steps
    assert "astro deploy   (ships requirements.txt without openlineage-airflow<=1.14.0)" in steps
    assert "openlineage-airflow" not in (root / "requirements.txt").read_text()


def test_remove_names_the_sub_transport_variables_of_the_deployment(tmp_path: Path) -> None:
    case = Case("airflow", "astro-9.2.0")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    result = cli(["remove", "--dir", str(root), "--yes"])
    sub = "OPENLINEAGE__TRANSPORT__TRANSPORTS__LINEAGE_EXAMPLE_COM__"
    assert f"delete {sub}AUTH__API_KEY, {sub}AUTH__TYPE, {sub}ENDPOINT, {sub}TYPE, {sub}URL from" in result.stdout
    assert "OPENLINEAGE__TRANSPORT__TYPE," not in result.stdout  # Astro's own, on the Deployment


def test_remove_on_runtimes_where_env_is_local_only_lists_no_deployment_step(tmp_path: Path) -> None:
    case = Case("airflow", "astro-9.1.0-local")
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    result = cli(["remove", "--dir", str(root), "--yes"])
    assert "astro deployment variable" not in result.stdout and "astro dev restart" in result.stdout


# --- the provider's order, read from .env, the Dockerfile's ENV and airflow.cfg --------------------------------

YML = "transport:\n  type: http\n  url: https://from-yml.example\n"


@pytest.mark.parametrize(
    ("tree", "config", "sends"),
    [
        (  # config_conn_id comes first: an Airflow connection, which no file shows
            {".env": 'AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID=ol\nAIRFLOW__OPENLINEAGE__TRANSPORT={"type":"console"}\n'},
            "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID=ol (.env line 1)",
            [],
        ),
        (  # then config_path: the Astro image's /usr/local/airflow is the project
            {
                "include/ol.yml": YML,
                ".env": "AIRFLOW__OPENLINEAGE__CONFIG_PATH=/usr/local/airflow/include/ol.yml\n"
                'AIRFLOW__OPENLINEAGE__TRANSPORT={"type":"http","url":"https://t.example"}\n',
            },
            "AIRFLOW__OPENLINEAGE__CONFIG_PATH=/usr/local/airflow/include/ol.yml (.env line 1)",
            ["https://from-yml.example/api/v1/lineage"],
        ),
        (  # then transport, over openlineage-python's own variables
            {
                ".env": 'OPENLINEAGE_URL=https://u.example\nAIRFLOW__OPENLINEAGE__TRANSPORT={"type":"http","url":"https://t.example"}\n'
            },
            "AIRFLOW__OPENLINEAGE__TRANSPORT (.env line 2)",
            ["https://t.example/api/v1/lineage"],
        ),
        (  # .env over the Dockerfile's ENV over airflow.cfg
            {
                "airflow.cfg": '[openlineage]\ntransport = {"type": "http", "url": "https://cfg.example"}\n',
                "Dockerfile": 'FROM apache/airflow:2.9.3\nENV AIRFLOW__OPENLINEAGE__TRANSPORT=\'{"type":"http","url":"https://img.example"}\'\n',
            },
            "AIRFLOW__OPENLINEAGE__TRANSPORT (Dockerfile line 2)",
            ["https://img.example/api/v1/lineage"],
        ),
        (
            {
                "airflow.cfg": '[openlineage]\ntransport = {"type": "http", "url": "https://cfg.example"}\n'
                "namespace = cfg\n"
            },
            "AIRFLOW__OPENLINEAGE__TRANSPORT (airflow.cfg [openlineage] transport)",
            ["https://cfg.example/api/v1/lineage"],
        ),
    ],
)
def test_the_provider_order(tmp_path: Path, tree: dict[str, str], config: str, sends: list[str]) -> None:
    root = _write(tmp_path / "p", {"requirements.txt": "apache-airflow==2.9.3\n", **tree})
    settings = json.loads(cli(["status", "--dir", str(root), "--json"]).stdout)["status"][0]["settings"]
    assert [s["value"] for s in settings if s["name"] == "config"] == [config]
    assert [s["value"] for s in settings if s["name"] == "sends to"] == sends


def test_the_namespace_order_and_a_key_in_the_dockerfile(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {
            "Dockerfile": "FROM apache/airflow:2.9.3\n"
            f"ENV OPENLINEAGE_URL=https://i.example \\\n  OPENLINEAGE_API_KEY={CANARY}\n",
            ".env": "OPENLINEAGE_NAMESPACE=legacy\nAIRFLOW__OPENLINEAGE__NAMESPACE=provider\n",
        },
    )
    result = cli(["status", "--dir", str(root), "--json"])
    (entry,) = json.loads(result.stdout)["status"]
    settings = {s["name"]: s for s in entry["settings"]}
    assert settings["namespace"]["value"] == "provider"
    assert settings["api key"] == {
        "name": "api key",
        "value": f"...{CANARY[-4:]}",
        "source": "OPENLINEAGE_API_KEY (Dockerfile line 2)",
    }
    assert any(
        p.startswith("Dockerfile line 2 sets the API key: the Dockerfile is committed") for p in entry["problems"]
    )
    assert CANARY not in result.stdout


def test_the_wizard_says_what_an_airflow_project_of_unknown_version_needs(tmp_path: Path) -> None:
    root = _write(tmp_path / "repo", {"a/airflow.cfg": "[core]\n", "b/dbt_project.yml": "name: x\nprofile: x\n"})
    args = ["init", "--dir", str(root), "--url", "https://lineage.example.com", "--api-key", CANARY, "--no-input"]
    done = cli([*args, "--yes"])  # the others are set up; this one is left out, and the user told why
    assert done.exit_code == 0, done.output
    assert "left out Airflow" in done.stderr and "cannot tell which Airflow" in done.stderr
    assert "--airflow-version X.Y" in done.stderr
    assert (root / "b" / "openlineage.yml").exists() and not (root / "a" / ".env").exists()
    named = cli([*args, "--only", "a", "--yes"])  # named: tried, and refused with what to do
    assert named.exit_code == 2 and "cannot tell which Airflow" in named.stderr
    assert "left out" not in cli([*args, "--exclude", "a", "--yes"]).stderr
