"""A backend that needs a job namespace of its own (Atlan: the connection's name) gets it on Astro through a
`transform` sub-transport with JobNamespaceReplaceTransformer around the http one: the real openlineage-python
client, built from Astro's variables plus ours, sends our destination the renamed namespace while Astro's keep
the Deployment's."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage_setup.integrations.airflow import forms

from .helpers import CANARY, cli, copy_golden
from .receiver import receiver
from .test_airflow_astro import ASTRO_KEY, GOLDEN, _ours_from_env_file, astro_variables, run_client

ATLAN_PATH = "/events/openlineage/generic-openlineage/api/v1/lineage"


@pytest.mark.parametrize("namespace", ["my_atlan_connection", "12345"])  # the second reads as JSON
def test_atlan_gets_its_own_namespace_and_astro_keeps_the_deployments(tmp_path: Path, namespace: str) -> None:
    folder = tmp_path / "p"
    copy_golden(GOLDEN / "astro-9.2.0" / "before", folder)
    with receiver() as astro, receiver() as backup, receiver() as ours:
        args = ["--backend", "atlan", "--url", ours.url, "--namespace", namespace, "--api-key", CANARY, "--yes"]
        result = cli(["airflow", "--dir", str(folder), *args])
        assert result.exit_code == 0, result.output
        assert "TYPE=transform" in (folder / ".env").read_text()
        run_client({**astro_variables(astro.url, backup.url), **_ours_from_env_file(folder)}, tmp_path, "--emit")
    (request,) = ours.requests
    assert request.path == ATLAN_PATH and request.headers["Authorization"] == f"Bearer {CANARY}"
    assert request.body["job"]["namespace"] == namespace
    astros = [r for r in astro.requests if r.headers["Authorization"] == f"Bearer {ASTRO_KEY}"]
    assert astros and all(r.body["job"]["namespace"] == "astro-ns" for r in astros)
    again = cli(["airflow", "--dir", str(folder), *args[:-1], "--check"])
    assert again.exit_code == 0  # a second run changes nothing


def test_other_backends_keep_a_plain_http_sub_transport(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    copy_golden(GOLDEN / "astro-9.2.0" / "before", folder)
    result = cli(["airflow", "--dir", str(folder), "--url", "https://lineage.example.com", "--namespace", "n",
                  "--api-key", CANARY, "--yes"])  # fmt: skip
    assert result.exit_code == 0 and "TYPE=transform" not in (folder / ".env").read_text()


def test_the_deployment_commands_carry_the_transform_too() -> None:
    printed = cli(["airflow", "--print", "--format", "astro", "--backend", "atlan", "--url", "https://a.atlan.com",
                   "--namespace", "conn", "--api-key", CANARY, "--deployment-id", "d1"])  # fmt: skip
    assert printed.exit_code == 0
    assert f"__TRANSFORMER_CLASS={forms.TRANSFORMER}" in printed.stdout
    assert "__TRANSFORMER_PROPERTIES__NEW_JOB_NAMESPACE=conn" in printed.stdout
    assert "__TRANSPORT__AUTH__API_KEY=" in printed.stdout


def test_plain_airflow_add_renames_atlans_events_alone(tmp_path: Path) -> None:
    """--add on plain Airflow (the provider's [openlineage] transport): ours is a transform transport inside the
    composite, so Atlan gets its connection's namespace and the first destination the events as they were."""
    import json

    import dotenv

    from .helpers import files
    from .test_airflow_adding import _plain

    with receiver() as first, receiver() as ours:
        existing = f'AIRFLOW__OPENLINEAGE__TRANSPORT=\'{{"type": "http", "url": "{first.url}"}}\'\n'
        root = _plain(tmp_path / "p", "2.9.3", existing)
        original = files(root)
        args = ["--airflow-version", "2.9", "--backend", "atlan", "--url", ours.url, "--namespace", "conn_1"]
        result = cli(["airflow", "--dir", str(root), *args, "--api-key", CANARY, "--add", "--yes"])
        assert result.exit_code == 0, result.output
        values = dotenv.dotenv_values(root / ".env")
        assert "AIRFLOW__OPENLINEAGE__NAMESPACE" not in values  # the other destination keeps its namespace
        assert "openlineage-python>=1.33.0" in (root / "requirements.txt").read_text()
        transport = json.loads(values["AIRFLOW__OPENLINEAGE__TRANSPORT"] or "")
        _emit_with_config(tmp_path, {"transport": transport})  # as the provider builds it
        again = cli(["airflow", "--dir", str(root), *args, "--api-key", CANARY, "--add", "--check"])
        assert again.exit_code == 0
        assert cli(["remove", "--dir", str(root), "--yes"]).exit_code == 0
        assert files(root) == original
    (got_first,) = first.requests
    (got_ours,) = ours.requests
    assert got_first.body["job"]["namespace"] == "ns" and "Authorization" not in got_first.headers
    assert got_ours.body["job"]["namespace"] == "conn_1" and got_ours.path == ATLAN_PATH
    assert got_ours.headers["Authorization"] == f"Bearer {CANARY}"


EMIT = """
import datetime, json, sys, uuid
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
OpenLineageClient(config=json.loads(sys.argv[1])).emit(RunEvent(eventType=RunState.START,
    eventTime=datetime.datetime.now().isoformat(), run=Run(runId=str(uuid.uuid4())),
    job=Job(namespace="ns", name="dag.task"), producer="https://x"))
"""


def _emit_with_config(tmp_path: Path, config: dict[str, object]) -> None:
    """The real client in a clean process, given the config as the provider gives it."""
    import json
    import os
    import subprocess
    import sys

    work = tmp_path / "client"
    work.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(work)}
    done = subprocess.run(
        [sys.executable, "-c", EMIT, json.dumps(config)], env=env, cwd=work, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_plain_airflow_add_beside_openlineage_url_renames_atlans_events_alone(tmp_path: Path) -> None:
    """The other --add form on the provider (a composite of openlineage-python's variables, OPENLINEAGE_URL
    joining as default_http): ours is a transform sub-transport there too, the namespace variables stay."""
    import dotenv

    from .test_airflow_adding import _plain

    with receiver() as first, receiver() as ours:
        root = _plain(tmp_path / "p", "2.9.3", f"OPENLINEAGE_URL={first.url}\nOPENLINEAGE_NAMESPACE=prod\n")
        args = ["--airflow-version", "2.9", "--backend", "atlan", "--url", ours.url, "--namespace", "conn_1"]
        result = cli(["airflow", "--dir", str(root), *args, "--api-key", CANARY, "--add", "--yes"])
        assert result.exit_code == 0, result.output
        values = {k: v or "" for k, v in dotenv.dotenv_values(root / ".env").items()}
        assert values["OPENLINEAGE_NAMESPACE"] == "prod" and "AIRFLOW__OPENLINEAGE__NAMESPACE" not in values
        assert "openlineage-python>=1.33.0" in (root / "requirements.txt").read_text()
        run_client(values, tmp_path, "--emit")  # openlineage-python from the variables, as the provider leaves it
    assert [r.body["job"]["namespace"] for r in first.requests] == ["astro-ns"]  # the event's own
    (got,) = ours.requests
    assert got.body["job"]["namespace"] == "conn_1" and got.path == ATLAN_PATH
