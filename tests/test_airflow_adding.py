"""--add on plain Airflow: a second destination in the form the consumer reads, never in place of the first --
proven with the real openlineage-python client and two loopback receivers; where the consumer cannot take one,
a refusal naming what to do; and backends without a key (Marquez) or with gzip (Datadog).

The provider hands `[openlineage] transport` to the client as `OpenLineageClient(config={"transport": ...})`,
else builds `OpenLineageClient()` from openlineage-python's own variables (apache/airflow
providers/openlineage/.../plugins/adapter.py, `get_openlineage_config`); openlineage-airflow builds
`OpenLineageClient()` (OpenLineage/OpenLineage integration/airflow/.../adapter.py). Both are done here as they do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lineage_setup.answers import Connection
from lineage_setup.integrations.airflow import adding, forms

from .helpers import CANARY, cli, files
from .receiver import receiver

dotenv = pytest.importorskip("dotenv")
openlineage_client = pytest.importorskip("openlineage.client")

TRANSPORT = "AIRFLOW__OPENLINEAGE__TRANSPORT"
EMIT = """
import datetime, json, sys, uuid
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
config = json.loads(sys.argv[1])
client = OpenLineageClient(config=config) if config else OpenLineageClient()
transport = client.transport
subs = getattr(transport, "transports", [transport])
print(json.dumps({"kind": transport.kind, "subs": sorted(t.name or t.kind for t in subs),
                  "gzip": sorted(repr(getattr(t.config, "compression", None)) for t in subs)}))
if "--emit" in sys.argv:
    client.emit(RunEvent(eventType=RunState.START, eventTime=datetime.datetime.now().isoformat(),
        run=Run(runId=str(uuid.uuid4())), job=Job(namespace="ns", name="dag.task"), producer="https://x"))
"""


def _client(tmp_path: Path, variables: dict[str, str], config: dict[str, Any] | None, *args: str) -> dict[str, Any]:
    """The client in a clean process: these variables only, an empty HOME and working folder."""
    work = tmp_path / "client"
    work.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(work), **variables}
    done = subprocess.run(
        [sys.executable, "-c", EMIT, json.dumps(config), *args],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _plain(root: Path, version: str, env: str) -> Path:
    root.mkdir(parents=True)
    (root / "requirements.txt").write_text(f"apache-airflow=={version}\n")
    (root / ".env").write_text(env)
    return root


def _run(root: Path, url: str, version: str, *extra: str) -> Any:
    args = ["airflow", "--dir", str(root), "--url", url, "--namespace", "dev", "--api-key", CANARY]
    return cli([*args, "--airflow-version", version, *extra])


def test_the_transport_json_becomes_a_composite_and_both_receive(tmp_path: Path) -> None:
    with receiver() as first, receiver() as ours:
        root = _plain(
            tmp_path / "p", "2.9.3", f'AIRFLOW__OPENLINEAGE__TRANSPORT=\'{{"type": "http", "url": "{first.url}"}}\'\n'
        )
        original = files(root)
        refused = _run(root, ours.url, "2.9", "--yes")
        assert refused.exit_code == 2 and "--add" in refused.stderr and "--replace" in refused.stderr
        result = _run(root, ours.url, "2.9", "--add", "--yes")
        assert result.exit_code == 0, result.output
        assert "Nothing to change" in _run(root, ours.url, "2.9", "--add", "--yes").stdout
        values = dotenv.dotenv_values(root / ".env")
        transport = json.loads(values[TRANSPORT])
        got = _client(tmp_path, {}, {"transport": transport}, "--emit")  # as the provider builds it
        assert got["kind"] == "composite" and len(got["subs"]) == 2
        assert [r.headers.get("Authorization") for r in first.requests] == [None]  # as it was: no key
        assert [r.headers["Authorization"] for r in ours.requests] == [f"Bearer {CANARY}"]
        assert values["AIRFLOW__OPENLINEAGE__NAMESPACE"] == "dev"
        assert cli(["remove", "--dir", str(root), "--yes"]).exit_code == 0
        assert files(root) == original  # the first transport back, byte for byte


def test_openlineage_url_stays_and_ours_is_a_named_sub_transport(tmp_path: Path) -> None:
    with receiver() as first, receiver() as ours:
        root = _plain(tmp_path / "p", "2.6.3", f"OPENLINEAGE_URL={first.url}\nOPENLINEAGE_NAMESPACE=mine\n")
        original = files(root)
        result = _run(root, ours.url, "2.6", "--add", "--yes")
        assert result.exit_code == 0, result.output
        assert "The namespace stays mine (.env line 2)" in result.stdout
        assert "openlineage-airflow>=1.23.0,<=1.41.0" in (root / "requirements.txt").read_text()
        variables = {k: v or "" for k, v in dotenv.dotenv_values(root / ".env").items()}
        got = _client(tmp_path, variables, None, "--emit")  # as openlineage-airflow builds it
        assert got["kind"] == "composite" and got["subs"] == ["default_http", "lineage_127_0_0_1"]
        assert len(first.requests) == 1 and "Authorization" not in first.requests[0].headers
        assert ours.requests[0].headers["Authorization"] == f"Bearer {CANARY}"
        status = json.loads(cli(["status", "--dir", str(root), "--json"]).stdout)
        sends = {s["value"] for s in status["status"][0]["settings"] if s["name"] == "sends to"}
        assert sends == {f"{first.url}/api/v1/lineage", f"{ours.url}/api/v1/lineage"}
        assert cli(["remove", "--dir", str(root), "--yes"]).exit_code == 0
        assert files(root) == original


@pytest.mark.parametrize(
    ("version", "env", "code", "message"),
    [
        ("2.2.5", "OPENLINEAGE_URL=https://a.example\n", 2, "whose openlineage-python has no composite transport"),
        ("2.9.3", "AIRFLOW__OPENLINEAGE__CONFIG_PATH=/opt/ol.yml\nOPENLINEAGE_URL=https://a.example\n", 0, ""),
        ("2.9.3", "OPENLINEAGE__TRANSPORT__TYPE=http\nOPENLINEAGE__TRANSPORT__URL=https://a.example\n", 3, "composite"),
        ("2.6.3", "MARQUEZ_URL=https://a.example\n", 3, "MARQUEZ_URL (.env line 1)"),
    ],
)
def test_where_a_second_destination_cannot_be_added(
    tmp_path: Path, version: str, env: str, code: int, message: str
) -> None:
    root = _plain(tmp_path / "p", version, env)
    before = files(root)
    result = _run(root, "https://lineage.example.com", version.rsplit(".", 1)[0], "--add", "--yes")
    assert result.exit_code == code, result.output
    if code:
        assert message in result.stderr
        assert ("--replace" if code == 2 else "Nothing was written") in result.stderr
        assert files(root) == before
    else:  # a config file in the image the files do not show: nothing is known to be sent elsewhere
        assert "AIRFLOW__OPENLINEAGE__CONFIG_PATH, which wins over" in result.stderr


def test_astro_runtimes_before_9_2_cannot_add(tmp_path: Path) -> None:
    for runtime, flags, words in (
        ("4.1.0", [], "upgrade to Astro Runtime 9.2.0 or newer"),
        ("9.1.0", ["--local"], "adds one next to Astro's from Runtime 9.2.0"),
    ):
        root = tmp_path / runtime
        root.mkdir()
        (root / "Dockerfile").write_text(f"FROM quay.io/astronomer/astro-runtime:{runtime}\n")
        (root / ".env").write_text("OPENLINEAGE_URL=https://a.example\n")
        args = ["--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY]
        result = cli(["airflow", "--dir", str(root), *args, *flags, "--add", "--yes"])
        assert result.exit_code == 2 and words in result.stderr, result.output


@pytest.mark.parametrize(
    "existing",
    [
        '{"type":"http","url":"http://m:5000"}',
        '{ "type" : "http", "url": "http://m:5000", "note": "caf\\u00e9 } ,\\"x\\"" }',
        '{"type":"composite","transports":[{"type":"http","url":"http://m:5000"}]}',
    ],
)
def test_wrap_keeps_the_first_transport_as_written(existing: str) -> None:
    conn = Connection("https://lineage.example.com", "api/v1/lineage", "dev", CANARY)
    wrapped = adding.wrap(existing, conn, None)
    back = adding.unwrap(wrapped.text)
    assert back is not None and back.first == existing.strip() and back.ours == forms.transport_json(conn)
    assert json.loads(wrapped.text)["transports"]["lineage_example_com"] == json.loads(forms.transport_json(conn))
    assert adding.wrap(wrapped.text, conn, None).text == wrapped.text  # again: the same, not nested
    assert adding.unwrap(existing) is None


# --- backends without a key, and with gzip -------------------------------------------------------------------


def _backend(backend: str, url: str) -> Connection:
    return Connection(url, "api/v1/lineage", "dev", "" if backend == "marquez" else CANARY, backend=backend)


def test_marquez_gets_no_key_in_any_form(tmp_path: Path) -> None:
    conn = _backend("marquez", "http://marquez.example:5000")
    assert "auth" not in json.loads(forms.transport_json(conn))
    for form in forms.FORMS:
        assert "API_KEY" not in forms.legacy(conn, form, backend=True)
        assert "AUTH" not in forms.subtransport(conn, "M", form)
        assert "--secret" not in forms.legacy(conn, "astro", backend=False)
    with receiver() as rx:
        root = tmp_path / "p"
        root.mkdir()
        (root / "requirements.txt").write_text("apache-airflow==2.9.3\n")
        args = ["--backend", "marquez", "--url", rx.url, "--namespace", "dev", "--airflow-version", "2.9", "--yes"]
        assert cli(["airflow", "--dir", str(root), *args]).exit_code == 0  # no key given, none asked for
        transport = json.loads(dotenv.dotenv_values(root / ".env")[TRANSPORT])
        _client(tmp_path, {}, {"transport": transport}, "--emit")
        assert len(rx.requests) == 1 and "Authorization" not in rx.requests[0].headers


def test_datadog_gets_gzip_where_the_form_has_a_setting(tmp_path: Path) -> None:
    conn = _backend("datadog", "https://data-obs-intake.datadoghq.eu")
    transport = json.loads(forms.transport_json(conn))
    assert transport["compression"] == "gzip"
    assert _client(tmp_path, {}, {"transport": transport})["gzip"] == ["<HttpCompression.GZIP: 'gzip'>"]
    sub = dict(forms.pairs(forms.subtransport(conn, "DD", "env")))
    assert sub["OPENLINEAGE__TRANSPORT__TRANSPORTS__DD__COMPRESSION"] == "gzip"
    assert _client(tmp_path, sub, None)["gzip"] == ["<HttpCompression.GZIP: 'gzip'>"]
    root = tmp_path / "p"
    root.mkdir()
    (root / "requirements.txt").write_text("apache-airflow==2.6.3\n")
    args = ["--backend", "datadog", "--domain", "datadoghq.eu", "--namespace", "n", "--api-key", CANARY]
    result = cli(["airflow", "--dir", str(root), *args, "--airflow-version", "2.6", "--yes"])
    assert "OPENLINEAGE_URL and its variables have no compression setting" in result.stderr
