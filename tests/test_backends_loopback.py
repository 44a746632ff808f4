"""Every `--backend` preset, end to end through the real consumer: what `lineage-setup dbt` and
`lineage-setup airflow` write for the preset, read as the consumer reads it, emits one event to a loopback
receiver, which checks the path (the preset's endpoint), the key (an Authorization header exactly when the
preset takes one) and the body (gzip-compressed for Datadog, plain JSON for the rest).

- dbt: dbt-ol builds `OpenLineageClient()`, which reads the file `OPENLINEAGE_CONFIG` names
  (OpenLineage/OpenLineage client/python/src/openlineage/client/client.py, `_find_yaml_config_path`).
- Airflow 2.9 with apache-airflow-providers-openlineage: the provider hands `[openlineage] transport`
  (here AIRFLOW__OPENLINEAGE__TRANSPORT from .env, read by python-dotenv) to `OpenLineageClient(config=
  {"transport": ...})` (apache/airflow providers/openlineage/.../plugins/adapter.py, `get_openlineage_config`).
- gzip: openlineage-python's http transport `compression: gzip` sends `Content-Encoding: gzip`
  (client/python/src/openlineage/client/transport/http.py, `HttpCompression`).
Great Expectations with each backend is in test_great_expectations_backends_real.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from lineage_setup import backends

from .helpers import CANARY, cli
from .receiver import receiver

pytest.importorskip("openlineage.client")
dotenv = pytest.importorskip("dotenv")

NAMESPACE = "loopback-ns"
EMIT = """
import datetime, json, sys
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
config = json.loads(sys.argv[1])
client = OpenLineageClient(config=config) if config else OpenLineageClient()
client.emit(RunEvent(eventType=RunState.START, eventTime=datetime.datetime.now().isoformat(),
    run=Run(runId=sys.argv[2]), job=Job(namespace="from-the-run", name="j"), producer="https://x"))
print(type(client.transport).__name__)
"""


def _setup(integration: str, root: Path, preset: backends.Preset, url: str) -> None:
    root.mkdir(parents=True)
    if integration == "dbt":
        (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    else:
        (root / "requirements.txt").write_text("apache-airflow==2.9.3\n")
    key = ["--api-key", CANARY] if preset.auth == "bearer" else []  # Marquez: none given, none asked for
    extra = ["--airflow-version", "2.9"] if integration == "airflow" else []
    args = [integration, "--dir", str(root), "--backend", preset.name, "--url", f"{url}/", *extra]
    result = cli([*args, "--namespace", NAMESPACE, *key, "--yes"])
    assert result.exit_code == 0, result.output


def _consumer_input(integration: str, root: Path, work: Path) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The environment and config the consumer builds its client from, and nothing else."""
    env = {"PATH": os.environ["PATH"], "HOME": str(work)}
    if integration == "dbt":
        return {**env, "OPENLINEAGE_CONFIG": str(root / "openlineage.yml")}, None
    values = dotenv.dotenv_values(root / ".env")
    assert values["AIRFLOW__OPENLINEAGE__NAMESPACE"] == NAMESPACE  # the provider's own namespace setting
    return env, {"transport": json.loads(values["AIRFLOW__OPENLINEAGE__TRANSPORT"] or "")}


@pytest.mark.parametrize("integration", ["dbt", "airflow"])
@pytest.mark.parametrize("name", backends.NAMES)
def test_each_preset_reaches_its_endpoint_through_the_real_client(name: str, integration: str, tmp_path: Path) -> None:
    preset = backends.get(name)
    work = tmp_path / "work"  # an empty working folder and HOME: no openlineage.yml found by accident
    work.mkdir()
    run_id = str(uuid.uuid4())
    with receiver() as rx:
        root = tmp_path / "p"
        _setup(integration, root, preset, rx.url)
        env, config = _consumer_input(integration, root, work)
        done = subprocess.run(
            [sys.executable, "-c", EMIT, json.dumps(config), run_id],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("TransformTransport" if integration == "dbt" else "HttpTransport")
    [request] = rx.requests
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert request.path == f"/{preset.endpoint}"
    if preset.auth == "bearer":
        assert headers["authorization"] == f"Bearer {CANARY}"
    else:
        assert "authorization" not in headers
    if preset.gzip:
        assert headers.get("content-encoding") == "gzip"
        assert request.raw[:2] == b"\x1f\x8b"  # gzip's magic number: compressed on the wire, not only labelled
    else:
        assert "content-encoding" not in headers
        assert json.loads(request.raw) == request.body
    event = request.body
    assert event["run"]["runId"] == run_id
    if integration == "dbt":  # dbt-ol's namespace is set by the transform transport in openlineage.yml
        assert event["job"]["namespace"] == NAMESPACE


def test_the_presets_exercise_every_branch_above() -> None:
    """Both auth forms and a gzip backend are among the presets, so each branch of the checks above runs."""
    assert {preset.auth for preset in backends.PRESETS.values()} == {"bearer", "none"}
    assert any(preset.gzip for preset in backends.PRESETS.values())
    assert len({preset.endpoint for preset in backends.PRESETS.values()}) > 1
