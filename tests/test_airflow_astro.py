"""Astro Runtime 9.2.0+ and Airflow 3 Runtimes: a destination is added to Astro's composite transport, never
put in its place -- proven with the real openlineage-python client and a loopback receiver.

Astro's own variables are modelled on its documentation (astronomer.io/docs/astro/observe-openlineage): the
three legacy ones, and a composite of a primary and a backup http transport with CONTINUE_ON_FAILURE=true.
The names of Astro's two sub-transports are not published; ASTRO_PRIMARY and ASTRO_BACKUP stand in for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lineage_setup.answers import Connection
from lineage_setup.integrations.airflow import destination, forms
from lineage_setup.integrations.airflow.versions import TRANSPORT

from .helpers import CANARY, CONN, cli, copy_golden
from .receiver import Receiver, receiver

dotenv = pytest.importorskip("dotenv")
pytest.importorskip("openlineage.client")

GOLDEN = Path(__file__).parent / "golden" / "airflow"
ASTRO_KEY = "astro-deployment-key-0001"

# Builds the client as the provider does when [openlineage] transport is not set (OpenLineageClient() with no
# arguments: apache/airflow providers/openlineage/.../plugins/adapter.py), says what it built, emits one event.
CLIENT = """
import datetime, json, sys, uuid
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState

client = OpenLineageClient()
transport = client.transport
subs = getattr(transport, "transports", [])
print(json.dumps({
    "kind": transport.kind,
    "continue_on_failure": getattr(getattr(transport, "config", None), "continue_on_failure", None),
    "subs": {t.name: {"kind": t.kind, "url": t.url, "endpoint": t.endpoint,
                      "bearer": t.config.auth.get_bearer()} for t in subs if t.kind == "http"},
}))
if "--emit" in sys.argv:
    client.emit(RunEvent(
        eventType=RunState.START,
        eventTime=datetime.datetime.now(datetime.timezone.utc).isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="astro-ns", name="dag.task"),
        producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
    ))
"""


def astro_variables(primary: str, backup: str) -> dict[str, str]:
    """What Astro sets on a Deployment (see the module docstring)."""
    sub = "OPENLINEAGE__TRANSPORT__TRANSPORTS__"
    return {
        "OPENLINEAGE_URL": primary,
        "OPENLINEAGE_API_KEY": ASTRO_KEY,
        "OPENLINEAGE_NAMESPACE": "astro-ns",
        "OPENLINEAGE__TRANSPORT__TYPE": "composite",
        "OPENLINEAGE__TRANSPORT__CONTINUE_ON_FAILURE": "true",
        f"{sub}ASTRO_PRIMARY__TYPE": "http",
        f"{sub}ASTRO_PRIMARY__URL": primary,
        f"{sub}ASTRO_PRIMARY__AUTH__TYPE": "api_key",
        f"{sub}ASTRO_PRIMARY__AUTH__API_KEY": ASTRO_KEY,
        f"{sub}ASTRO_BACKUP__TYPE": "http",
        f"{sub}ASTRO_BACKUP__URL": backup,
        f"{sub}ASTRO_BACKUP__AUTH__TYPE": "api_key",
        f"{sub}ASTRO_BACKUP__AUTH__API_KEY": ASTRO_KEY,
    }


def run_client(variables: dict[str, str], tmp_path: Path, *args: str) -> dict[str, object]:
    """The client in a clean process: only these variables, HOME and the working folder empty temp dirs."""
    home, cwd = tmp_path / "client-home", tmp_path / "client-cwd"
    home.mkdir(exist_ok=True)
    cwd.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), **variables}
    assert not [name for name in env if name.startswith("OPENLINEAGE_CONFIG")]
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _ours_from_env_file(folder: Path) -> dict[str, str]:
    values = dotenv.dotenv_values(folder / ".env")
    return {k: v for k, v in values.items() if k.startswith("OPENLINEAGE__") and v is not None}


def _setup(tmp_path: Path, url: str, *extra: str) -> Path:
    folder = tmp_path / "p"
    copy_golden(GOLDEN / "astro-9.2.0" / "before", folder)
    args = ["--url", url, "--namespace", "dev", "--api-key", CANARY, *extra]
    result = cli(["airflow", "--dir", str(folder), *args, "--yes"])
    assert result.exit_code == 0, result.output
    return folder


def _check_both_receive(got: dict[str, object], astro: Receiver, ours: Receiver, key: str, name: str) -> None:
    assert got["kind"] == "composite" and got["continue_on_failure"] is True
    subs = got["subs"]
    assert isinstance(subs, dict)
    assert {"astro_primary", "astro_backup", name.lower()} <= set(subs)
    assert subs["astro_primary"]["bearer"] == f"Bearer {ASTRO_KEY}"
    assert subs[name.lower()] == {
        "kind": "http",
        "url": ours.url,
        "endpoint": "api/v1/lineage",
        "bearer": f"Bearer {key}",
    }
    (request,) = ours.requests
    assert request.path == "/api/v1/lineage"
    assert request.headers["Authorization"] == f"Bearer {key}"
    assert request.body["job"] == {"namespace": "astro-ns", "name": "dag.task", "facets": {}}
    assert any(r.headers["Authorization"] == f"Bearer {ASTRO_KEY}" for r in astro.requests)  # Astro's still does


@pytest.mark.parametrize("key", [CANARY, "00012345", "1234567e1", "1.5e+100", "Infinity", "[1,2,3,4]"])
def test_the_env_file_adds_a_destination_to_astros_composite(tmp_path: Path, key: str) -> None:
    with receiver() as astro, receiver() as backup, receiver() as ours:
        folder = _setup(tmp_path, ours.url, "--api-key", key)
        env = {**astro_variables(astro.url, backup.url), **_ours_from_env_file(folder)}
        got = run_client(env, tmp_path, "--emit")
        _check_both_receive(got, astro, ours, key, destination.derived_name(_conn(ours.url, key)))


@pytest.mark.parametrize("key", ["1234567e1", "Infinity", "[1,2,3,4]"])
def test_such_keys_in_the_plain_auth_form_would_be_read_wrong(tmp_path: Path, key: str) -> None:
    """The control for the JSON auth form: `__AUTH__API_KEY=<key>` reaches the client as a number or a list."""
    sub = "OPENLINEAGE__TRANSPORT__TRANSPORTS__OURS__"
    plain = {f"{sub}TYPE": "http", f"{sub}URL": "http://127.0.0.1:9", f"{sub}AUTH__TYPE": "api_key"}
    astro = astro_variables("http://127.0.0.1:9", "http://127.0.0.1:9")
    got = run_client({**astro, **plain, f"{sub}AUTH__API_KEY": key}, tmp_path)
    assert got["subs"]["ours"]["bearer"] != f"Bearer {key}"  # type: ignore[index]


def _conn(url: str, key: str = CANARY) -> Connection:
    return Connection(url, "api/v1/lineage", "dev", key)


@pytest.fixture
def fake_astro(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in `astro` on PATH that appends its argv as one JSON line to a log."""
    bin_dir, log = tmp_path / "bin", tmp_path / "astro.log"
    bin_dir.mkdir()
    script = bin_dir / "astro"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(0o755)
    return bin_dir, log


def astro_cli_variables(script: str, fake: tuple[Path, Path]) -> tuple[dict[str, str], list[list[str]]]:
    """Run the commands with bash; read KEY=VALUE arguments as the Astro CLI does (split on the first `=`)."""
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    bin_dir, log = fake
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "ASTRO_DEPLOYMENT_ID": "clx0dep"}
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True, capture_output=True)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    found: dict[str, str] = {}
    for call in calls:
        assert call[:3] == ["deployment", "variable", "create"]
        found.update(arg.split("=", 1) for arg in call[3:] if "=" in arg and not arg.startswith("-"))
    return found, calls


@pytest.mark.parametrize("key", [CANARY, "12345678"])
def test_the_deployment_commands_add_a_destination_to_astros_composite(
    tmp_path: Path, fake_astro: tuple[Path, Path], key: str
) -> None:
    with receiver() as astro, receiver() as backup, receiver() as ours:
        args = ["--url", ours.url, "--namespace", "dev", "--api-key", key, "--transport-name", "my_backend"]
        printed = cli(["airflow", *args, "--print", "--format", "astro"])
        assert printed.exit_code == 0, printed.output
        ours_vars, calls = astro_cli_variables(printed.stdout, fake_astro)
        assert "OPENLINEAGE__TRANSPORT__TYPE" not in ours_vars and TRANSPORT not in ours_vars  # Astro's stay
        secret = [call for call in calls if "--secret" in call]
        assert len(secret) == 1 and all(key in arg for arg in secret[0][3:-3])  # the key, alone, as a secret
        assert not any(key in arg for call in calls if call not in secret for arg in call)
        got = run_client({**astro_variables(astro.url, backup.url), **ours_vars}, tmp_path, "--emit")
        _check_both_receive(got, astro, ours, key, "MY_BACKEND")


def test_the_shell_form_adds_a_destination_too(tmp_path: Path) -> None:
    with receiver() as astro, receiver() as backup, receiver() as ours:
        script_file = tmp_path / "exports.sh"
        script_file.write_text(forms.subtransport(_conn(ours.url), "OURS", "shell"))  # what --print shows there
        env = {"PATH": os.environ["PATH"], **astro_variables(astro.url, backup.url)}
        dump = subprocess.run(
            ["bash", "-c", f". {script_file}; env -0"], env=env, capture_output=True, check=True
        ).stdout.decode()
        exported = dict(item.split("=", 1) for item in dump.split("\0") if item.startswith("OPENLINEAGE"))
        got = run_client(exported, tmp_path, "--emit")
        _check_both_receive(got, astro, ours, CANARY, "OURS")


def _project(tmp_path: Path, tag: str) -> Path:
    folder = tmp_path / f"project-{tag}"
    folder.mkdir()
    (folder / "Dockerfile").write_text(f"FROM quay.io/astronomer/astro-runtime:{tag}\n")
    return folder


def test_the_transport_variable_would_have_dropped_astros_composite(tmp_path: Path) -> None:
    """Why it is never set there: the provider hands [openlineage] transport to the client as config=."""
    with receiver() as astro, receiver() as backup, receiver() as ours:
        transport = json.loads(forms.transport_json(_conn(ours.url)))
        script = CLIENT.replace("OpenLineageClient()", f"OpenLineageClient(config={{'transport': {transport!r}}})")
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **astro_variables(astro.url, backup.url)}
        done = subprocess.run([sys.executable, "-c", script, "--emit"], env=env, cwd=tmp_path, capture_output=True)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.decode().splitlines()[-1])["kind"] == "http"
        assert astro.requests == [] and len(ours.requests) == 1


def test_astros_variables_alone_reach_only_astro(tmp_path: Path) -> None:
    """The control: without ours, the same client holds Astro's sub-transports only."""
    with receiver() as astro, receiver() as backup:
        got = run_client(astro_variables(astro.url, backup.url), tmp_path)
        assert got["kind"] == "composite"
        assert set(got["subs"]) == {"astro_primary", "astro_backup", "default_http"}  # type: ignore[arg-type]


# --- what the run writes and says on such a Runtime ----------------------------------------------------------


def test_an_existing_transport_variable_is_taken_out_and_the_group_added(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    copy_golden(GOLDEN / "astro-9.2.0-replaces-transport" / "before", folder)
    result = cli(["airflow", "--dir", str(folder), *CONN, "--transport-name", "marquez", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"-{TRANSPORT}='" in result.stdout  # the removal is a planned change, shown in the diff
    assert "+OPENLINEAGE__TRANSPORT__TRANSPORTS__MARQUEZ__URL=https://lineage.example.com" in result.stdout
    assert "overrides Astro's own lineage on this Runtime: taking it out" in result.stderr
    assert f"Do not set {TRANSPORT}" in result.stdout
    assert "openlineage-python 1.33.0+" in result.stdout and ">=1.38" in result.stdout


def test_a_key_that_changes_form_leaves_no_stale_auth_behind(tmp_path: Path) -> None:
    folder = _setup(tmp_path, "https://lineage.example.com")
    name = "OPENLINEAGE__TRANSPORT__TRANSPORTS__LINEAGE_EXAMPLE_COM__"
    assert f"{name}AUTH__API_KEY" in dotenv.dotenv_values(folder / ".env")
    again = cli(["airflow", "--dir", str(folder), *CONN, "--api-key", "987654321", "--yes"])
    assert again.exit_code == 0, again.output
    values = dotenv.dotenv_values(folder / ".env")
    assert json.loads(values[f"{name}AUTH"] or "") == {"type": "api_key", "apiKey": "987654321"}
    assert f"{name}AUTH__API_KEY" not in values and f"{name}AUTH__TYPE" not in values
    assert CANARY not in (folder / ".env").read_text()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("my-backend", "cannot name a sub-transport"),
        ("a__b", "single underscores"),
        ("_x", "not at either end"),
        ("x" * 65, "at most 64"),
        ("default_http", "where openlineage-python puts OPENLINEAGE_URL"),
    ],
)
def test_bad_transport_names_are_exit_2_before_any_question(tmp_path: Path, raw: str, message: str) -> None:
    result = cli(["airflow", "--dir", str(_project(tmp_path, "9.2.0")), "--no-input", "--transport-name", raw])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://lineage.example.com", "LINEAGE_EXAMPLE_COM"),
        ("https://h-1.example:8443", "H_1_EXAMPLE"),
        ("http://127.0.0.1:5000", "LINEAGE_127_0_0_1"),
        ("http://[::1]:5000", "LINEAGE_1"),
        ("https://default-http.example", "DEFAULT_HTTP_EXAMPLE"),
        ("https://" + "a" * 70 + ".example", "A" * 64),
    ],
)
def test_the_default_name_comes_from_the_host(url: str, name: str) -> None:
    assert destination.derived_name(_conn(url)) == name
    assert destination.check_name(name) == name


@pytest.mark.parametrize(
    ("url", "origin", "backend", "astro"),
    [
        ("https://api.astronomer.io", "--url", "custom", True),
        ("https://lineage.org.astronomer.io", "OPENLINEAGE_URL", "custom", True),
        ("https://api.my-astro.example", "--domain", "astro", True),  # --domain alone picks the astro preset
        ("https://api.my-astro.example", "LINEAGE_SETUP_DOMAIN", "astro", True),
        ("https://api.my-astro.example", "--url", "custom", False),
        ("https://notastronomer.io", "--url", "custom", False),
        ("https://data-obs-intake.datadoghq.eu", "--domain", "datadog", False),  # --backend datadog --domain ...
    ],
)
def test_what_counts_as_astro_itself(url: str, origin: str, backend: str, astro: bool) -> None:
    conn = Connection(url, "api/v1/lineage", "dev", CANARY, {"url": origin}, backend)
    assert destination.is_astro(conn) is astro


def test_a_json_like_endpoint_is_refused(tmp_path: Path) -> None:
    result = cli(["airflow", "--dir", str(_project(tmp_path, "9.2.0")), *CONN, "--endpoint", "1234", "--dry-run"])
    assert result.exit_code == 2
    assert "reads every OPENLINEAGE__ value as JSON first" in result.stderr


@pytest.mark.parametrize(
    ("listed", "kept"),
    [
        ("openlineage-python>=1.50\n", True),
        ("openlineage-python==1.54.0\n", True),
        ("openlineage-python>=1.20,<2\n", False),
        ("openlineage-python\n", False),
    ],
)
def test_a_stricter_client_pin_is_kept_and_a_looser_one_raised(tmp_path: Path, listed: str, kept: bool) -> None:
    folder = _project(tmp_path, "9.2.0")
    (folder / "requirements.txt").write_text(listed)
    (folder / ".gitignore").write_text(".env\n")
    assert cli(["airflow", "--dir", str(folder), *CONN, "--yes"]).exit_code == 0
    now = (folder / "requirements.txt").read_text()
    assert (now == listed) is kept, now
    assert kept or now.startswith("openlineage-python>=1.38  #")


def test_airflow_3_runtimes_are_not_called_runtime_4_2(tmp_path: Path) -> None:
    folder = tmp_path / "af3"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM astrocrpublic.azurecr.io/runtime:3.1-12\n")
    args = ["--domain", "astronomer.io", "--namespace", "n", "--api-key", CANARY, "--dry-run"]
    result = cli(["airflow", "--dir", str(folder), *args])
    assert result.exit_code == 0, result.output
    assert "Airflow 3 Runtimes" in result.stdout
    assert "4.2.0" not in result.stdout


def test_old_runtimes_keep_astros_lineage_and_say_so(tmp_path: Path) -> None:
    folder = _project(tmp_path, "7.4.0")
    (folder / ".gitignore").write_text(".env\n")
    result = cli(["airflow", "--dir", str(folder), *CONN, "--local", "--yes"])
    assert result.exit_code == 0, result.output
    assert "never load it into the Deployment" in result.stdout
    assert "keeps sending to Astro alone" in result.stdout
    assert "OPENLINEAGE_URL=https://lineage.example.com" in (folder / ".env").read_text()
