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
