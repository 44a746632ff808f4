"""Every templates/airflow/*.tmpl is used, and renders hostile-but-valid values into text its consumer reads back
exactly: python-dotenv and bash `source` for .env lines, bash for exports, bash and a stand-in `astro` (whose
KEY=VALUE arguments are split on the first `=`, as the Astro CLI does) for the Deployment commands, json for
the transport JSON. The expected values are written out here, not taken from the code under test.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lineage_setup import templates
from lineage_setup.answers import Connection
from lineage_setup.integrations.airflow import adding, forms

dotenv = pytest.importorskip("dotenv")

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "airflow"
KEY = "k;&!#()<>|*?~^%@{}[],.:-_+=Z9"  # every character the brief names; validate.api_key takes it
JSON_KEY = "[1,{},[],2.5e3]"  # json.loads reads it as a list: the auth goes in as one JSON object
NAMESPACE = "ns:a;b=c/d@e+f"
ENDPOINT = "ol/li~ne@a+b=c,d;e=f"
URL = "https://h-1.example:8443"
HOSTILE = Connection(URL, ENDPOINT, NAMESPACE, KEY)
SUB = "OPENLINEAGE__TRANSPORT__TRANSPORTS__OURS__"


def legacy_values(backend: bool, endpoint: bool, key: str = KEY) -> dict[str, str]:
    values = {"AIRFLOW__LINEAGE__BACKEND": "openlineage.lineage_backend.OpenLineageBackend"} if backend else {}
    values["OPENLINEAGE_URL"] = URL
    if endpoint:
        values["OPENLINEAGE_ENDPOINT"] = ENDPOINT
    return {**values, "OPENLINEAGE_API_KEY": key, "OPENLINEAGE_NAMESPACE": NAMESPACE}


def transport_dict(key: str = KEY) -> dict[str, object]:
    return {"type": "http", "url": URL, "endpoint": ENDPOINT, "auth": {"type": "api_key", "apiKey": key}}


def subtransport_values(key: str, local: bool) -> dict[str, str]:
    values = {"OPENLINEAGE__TRANSPORT__TYPE": "composite"} if local else {}
    values.update({f"{SUB}TYPE": "http", f"{SUB}URL": URL, f"{SUB}ENDPOINT": ENDPOINT})
    if key == JSON_KEY:
        return {**values, f"{SUB}AUTH": json.dumps({"type": "api_key", "apiKey": key}, separators=(",", ":"))}
    return {**values, f"{SUB}AUTH__TYPE": "api_key", f"{SUB}AUTH__API_KEY": key}


def _conn(key: str, endpoint: str = ENDPOINT) -> Connection:
    return Connection(URL, endpoint, NAMESPACE, key)


# --- the consumers ---------------------------------------------------------------------------------------------


def read_env(text: str, tmp_path: Path) -> dict[str, str]:
    by_dotenv = {k: v or "" for k, v in dotenv.dotenv_values(stream=io.StringIO(text)).items()}
    (tmp_path / ".env").write_text(text)
    assert read_shell(f"set -a; . {tmp_path / '.env'}; set +a", list(by_dotenv)) == by_dotenv
    return by_dotenv


def read_shell(script: str, names: list[str]) -> dict[str, str]:
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0, script
    dump = script + "\n" + "".join(f'printf "%s\\0" "${name}"\n' for name in names)
    done = subprocess.run(
        ["bash", "-c", dump], capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]}
    )
    return dict(zip(names, done.stdout.split("\0")[:-1], strict=True))


def read_astro(script: str, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(variables, the ones in the --secret call) as the Astro CLI receives them."""
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0, script
    log, fake = tmp_path / "argv.jsonl", tmp_path / "bin" / "astro"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(
        f"#!{sys.executable}\nimport json, sys\nopen({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "ASTRO_DEPLOYMENT_ID": "clx0dep"}
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True)
    variables: dict[str, str] = {}
    secret: dict[str, str] = {}
    for line in log.read_text().splitlines():
        argv = json.loads(line)
        assert argv[:3] == ["deployment", "variable", "create"] and "--deployment-id" in argv
        pairs = dict(arg.split("=", 1) for arg in argv[3:] if "=" in arg and not arg.startswith("-"))
        variables.update(pairs)
        if "--secret" in argv:
            secret.update(pairs)
    return variables, secret


# --- every template is used --------------------------------------------------------------------------------------


def render_everything() -> None:
    for form in forms.FORMS:
        for backend in (True, False):
            for endpoint in ("api/v1/lineage", ENDPOINT):
                forms.legacy(_conn(KEY, endpoint), form, backend=backend)
        for key in (KEY, JSON_KEY, ""):
            forms.subtransport(_conn(key), "OURS", form)
            forms.subtransport(_conn(key), "OURS", form, rename=True)  # a namespace of its own (Atlan)
        if form != "astro":
            forms.provider(HOSTILE, form)
    forms.transport_json(HOSTILE)
    assert adding.wrap(forms.transport_json(_conn("other-key")), HOSTILE, None).text
    atlan = Connection(URL, ENDPOINT, NAMESPACE, KEY, {}, "atlan")  # a namespace of its own: a transform
    assert json.loads(adding.wrap(forms.transport_json(_conn("other-key")), atlan, None).text)


def test_every_airflow_template_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()
    render = templates.render

    def recording(name: str, **values: str) -> str:
        used.add(name)
        return render(name, **values)

    monkeypatch.setattr(templates, "render", recording)
    render_everything()
    assert used == {f"airflow/{path.name}" for path in TEMPLATES.glob("*.tmpl")}


# --- each renders hostile values that its consumer reads back -----------------------------------------------


@pytest.mark.parametrize(("backend", "endpoint"), [(True, True), (False, True), (True, False), (False, False)])
def test_legacy_forms(tmp_path: Path, backend: bool, endpoint: bool) -> None:
    conn = _conn(KEY, ENDPOINT if endpoint else "api/v1/lineage")
    want = legacy_values(backend, endpoint)
    assert read_env(forms.legacy(conn, "env", backend=backend), tmp_path) == want
    assert read_shell(forms.legacy(conn, "shell", backend=backend), list(want)) == want
    variables, secret = read_astro(forms.legacy(conn, "astro", backend=backend, deployment="clx0dep"), tmp_path)
    assert (variables, secret) == (want, {"OPENLINEAGE_API_KEY": KEY})


def test_provider_forms_and_the_transport_json(tmp_path: Path) -> None:
    assert json.loads(forms.transport_json(HOSTILE)) == transport_dict()
    for values in (
        read_env(forms.provider(HOSTILE, "env"), tmp_path),
        read_shell(
            forms.provider(HOSTILE, "shell"), ["AIRFLOW__OPENLINEAGE__TRANSPORT", "AIRFLOW__OPENLINEAGE__NAMESPACE"]
        ),
    ):
        assert json.loads(values.pop("AIRFLOW__OPENLINEAGE__TRANSPORT")) == transport_dict()
        assert values == {"AIRFLOW__OPENLINEAGE__NAMESPACE": NAMESPACE}


@pytest.mark.parametrize("key", [KEY, JSON_KEY])
def test_subtransport_forms(tmp_path: Path, key: str) -> None:
    conn = _conn(key)
    local = subtransport_values(key, local=True)
    assert read_env(forms.subtransport(conn, "OURS", "env"), tmp_path) == local
    assert read_shell(forms.subtransport(conn, "OURS", "shell"), list(local)) == local
    variables, secret = read_astro(forms.subtransport(conn, "OURS", "astro", "clx0dep"), tmp_path)
    assert variables == subtransport_values(key, local=False)  # the Deployment has Astro's TYPE=composite
    assert secret == {k: v for k, v in variables.items() if key in v}  # the key alone is the secret call
    assert secret


def test_the_placeholder_deployment_is_bash_stopping_unset_variable(tmp_path: Path) -> None:
    script = forms.subtransport(_conn(KEY), "OURS", "astro")
    bash = shutil.which("bash")
    assert bash is not None
    log = tmp_path / "ran"
    stub = tmp_path / "bin" / "astro"  # would record that it ran
    stub.parent.mkdir()
    stub.write_text(f"#!{bash}\ntouch {log}\n")
    stub.chmod(0o755)
    done = subprocess.run([bash, "-c", script], capture_output=True, text=True, env={"PATH": str(stub.parent)})
    assert done.returncode != 0 and "ASTRO_DEPLOYMENT_ID" in done.stderr
    assert not log.exists()


# --- a backend without a key (Marquez) and one that takes gzip (Datadog) -------------------------------------


@pytest.mark.parametrize("backend", ["marquez", "datadog"])
def test_keyless_and_gzip_forms(tmp_path: Path, backend: str) -> None:
    key = "" if backend == "marquez" else KEY
    conn = Connection(URL, ENDPOINT, NAMESPACE, key, backend=backend)
    gzip = {f"{SUB}COMPRESSION": "gzip"} if backend == "datadog" else {}
    auth = {f"{SUB}AUTH__TYPE": "api_key", f"{SUB}AUTH__API_KEY": key} if key else {}
    local = {"OPENLINEAGE__TRANSPORT__TYPE": "composite", f"{SUB}TYPE": "http", f"{SUB}URL": URL}
    local = {**local, f"{SUB}ENDPOINT": ENDPOINT, **gzip, **auth}
    assert read_env(forms.subtransport(conn, "OURS", "env"), tmp_path) == local
    assert read_shell(forms.subtransport(conn, "OURS", "shell"), list(local)) == local
    variables, secret = read_astro(forms.subtransport(conn, "OURS", "astro", "clx0dep"), tmp_path)
    local.pop("OPENLINEAGE__TRANSPORT__TYPE")
    assert (variables, secret) == (local, {f"{SUB}AUTH__API_KEY": key} if key else {})
    legacy = legacy_values(False, True, key)
    legacy = {k: v for k, v in legacy.items() if v}  # no OPENLINEAGE_API_KEY line without a key
    assert read_env(forms.legacy(conn, "env", backend=False), tmp_path) == legacy
    assert read_shell(forms.legacy(conn, "shell", backend=False), list(legacy)) == legacy
    (tmp_path / "legacy").mkdir()  # read_astro's log is per folder
    variables, secret = read_astro(
        forms.legacy(conn, "astro", backend=False, deployment="clx0dep"), tmp_path / "legacy"
    )
    assert variables == legacy and secret == ({"OPENLINEAGE_API_KEY": key} if key else {})
    transport = {"type": "http", "url": URL, "endpoint": ENDPOINT}
    transport.update({"compression": "gzip"} if backend == "datadog" else {})
    transport.update({"auth": {"type": "api_key", "apiKey": key}} if key else {})  # type: ignore[dict-item]
    assert json.loads(forms.transport_json(conn)) == transport
