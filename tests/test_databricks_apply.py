"""`lineage-setup databricks --apply`: the whole REST sequence against a mocked workspace (respx), and each failure."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from .helpers import CANARY, CONN, cli

HOST = "https://adb-1234.5.azuredatabricks.net"
CLUSTER = "0123-456789-abcdefgh"
TOKEN = "dapi_TOKEN_CANARY_0123456789"
SCRIPT_PATH = "/Shared/openlineage/openlineage-init.sh"
OTHER_SCRIPT = {"workspace": {"destination": "/Shared/other-init.sh"}}
OURS = {"workspace": {"destination": SCRIPT_PATH}}
SPEC: dict[str, Any] = {
    "cluster_id": CLUSTER,
    "cluster_name": "etl",
    "spark_version": "15.4.x-scala2.12",
    "node_type_id": "Standard_DS3_v2",
    "num_workers": 2,
    "state": "RUNNING",
    "cluster_source": "UI",
    "spark_context_id": 42,
    "driver": {"host_private_ip": "10.0.0.1"},
    "spark_conf": {
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.extraJavaOptions": "-Xss4m",
        "spark.openlineage.namespace": "old",
    },
    "init_scripts": [OTHER_SCRIPT],
}
ARGS = ["databricks", "--apply", "--host", HOST, "--cluster-id", CLUSTER, *CONN]
ENV = {"DATABRICKS_TOKEN": TOKEN}


def _script() -> bytes:
    result = cli(["databricks", "--print", "--format", "init-script", *CONN])
    return result.stdout.encode()


def _error(status: int, code: str, message: str = "") -> httpx.Response:
    return httpx.Response(status, json={"error_code": code, "message": message or code.lower()})


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        mock.get("/api/2.1/clusters/get", name="get").respond(json=SPEC)
        mock.get("/api/2.0/workspace/export", name="export").mock(return_value=_error(404, "RESOURCE_DOES_NOT_EXIST"))
        mock.post("/api/2.0/workspace/mkdirs", name="mkdirs").respond(json={})
        mock.post("/api/2.0/workspace/import", name="import").respond(json={})
        mock.post("/api/2.1/clusters/update", name="update").respond(json={})
        mock.post("/api/2.1/clusters/edit", name="edit").respond(json={})
        yield mock


def _calls(api: respx.MockRouter) -> list[str]:
    return [f"{call.request.method} {call.request.url.path}" for call in api.calls]


def _body(api: respx.MockRouter, name: str) -> Any:
    return json.loads(api.routes[name].calls.last.request.content)


def _no_secrets(result: Any) -> None:
    for secret in (CANARY, TOKEN):
        assert secret not in result.stdout + result.stderr


def _expected_conf() -> dict[str, str]:
    return {
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.extraJavaOptions": "-Xss4m -Djava.security.properties=",
        "spark.executor.extraJavaOptions": "-Djava.security.properties=",
        "spark.openlineage.namespace": "dev",
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": "https://lineage.example.com",
        "spark.openlineage.transport.endpoint": "/api/v1/lineage",
        "spark.openlineage.transport.auth.type": "api_key",
        "spark.openlineage.transport.auth.apiKey": CANARY,
    }


def test_whole_sequence_merges_and_shows_before_sending(api: respx.MockRouter, empty_dir: Path) -> None:
    result = cli([*ARGS, "--dir", str(empty_dir), "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    assert _calls(api) == [
        "GET /api/2.1/clusters/get",
        "GET /api/2.0/workspace/export",
        "POST /api/2.0/workspace/mkdirs",
        "POST /api/2.0/workspace/import",
        "GET /api/2.1/clusters/get",
        "POST /api/2.1/clusters/update",
    ]
    assert all(call.request.headers["authorization"] == f"Bearer {TOKEN}" for call in api.calls)
    assert _body(api, "mkdirs") == {"path": "/Shared/openlineage"}
    upload = _body(api, "import")
    assert upload["path"] == SCRIPT_PATH and upload["overwrite"] is True and upload["format"] == "AUTO"
    assert base64.b64decode(upload["content"]) == _script()
    update = _body(api, "update")
    assert update["cluster_id"] == CLUSTER
    assert update["update_mask"] == "spark_conf,init_scripts"
    assert update["cluster"]["spark_conf"] == _expected_conf()  # the user's keys kept, extraJavaOptions merged
    assert update["cluster"]["init_scripts"] == [OTHER_SCRIPT, OURS]  # theirs kept, ours appended
    out = result.stdout
    assert out.index("remote  Databricks cluster") < out.index("Done: 2 remote changes")
    for line in (
        "- spark.openlineage.namespace old",
        "+ spark.openlineage.namespace dev",
        "+ spark.driver.extraJavaOptions -Xss4m -Djava.security.properties=",
        "+ spark.openlineage.transport.auth.apiKey ****",
        "+ workspace /Shared/openlineage/openlineage-init.sh",
        "  workspace /Shared/other-init.sh",
        "(1 other spark_conf key kept unchanged)",
        "RUNNING: it restarts when this is applied",
        "+#!/bin/bash",
    ):
        assert line in out, line
    assert "the API key goes into the cluster's Spark config" in result.stderr
    assert list(empty_dir.iterdir()) == []  # --apply without --script writes no local file
    _no_secrets(result)


def test_dry_run_and_check_only_read(api: respx.MockRouter) -> None:
    dry = cli([*ARGS, "--dry-run"], env=ENV)
    assert dry.exit_code == 0, dry.output
    check = cli([*ARGS, "--check"], env=ENV)
    assert check.exit_code == 1
    assert "2 remote changes would change (--check" in check.stderr
    assert {call.request.method for call in api.calls} == {"GET"}
    _no_secrets(dry)
    _no_secrets(check)


def test_without_a_terminal_nothing_is_sent_unless_yes(api: respx.MockRouter) -> None:
    result = cli(ARGS, env=ENV)
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert {call.request.method for call in api.calls} == {"GET"}


def test_an_already_configured_cluster_is_nothing_to_change(api: respx.MockRouter) -> None:
    done = copy.deepcopy(SPEC)
    done["spark_conf"] = _expected_conf()
    done["init_scripts"] = [OTHER_SCRIPT, OURS]
    api.routes["get"].respond(json=done)
    api.routes["export"].respond(json={"content": base64.b64encode(_script()).decode(), "file_type": "sh"})
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "Nothing to change" in result.stdout
    assert cli([*ARGS, "--check"], env=ENV).exit_code == 0
    assert {call.request.method for call in api.calls} == {"GET"}


def test_secret_reference_goes_to_the_cluster_not_the_key(api: respx.MockRouter) -> None:
    result = cli([*ARGS, "--secret-scope", "lineage", "--secret-key", "k", "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    conf = _body(api, "update")["cluster"]["spark_conf"]
    assert conf["spark.openlineage.transport.auth.apiKey"] == "{{secrets/lineage/k}}"
    assert CANARY not in json.dumps([json.loads(c.request.content or b"{}") for c in api.calls])
    assert "databricks secrets put-secret lineage k" in result.stdout


def test_falls_back_to_edit_with_the_full_spec(api: respx.MockRouter) -> None:
    api.routes["update"].mock(
        return_value=_error(404, "ENDPOINT_NOT_FOUND", "No API found for 'POST /clusters/update'")
    )
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    edit = _body(api, "edit")
    assert edit["spark_conf"] == _expected_conf()
    assert edit["init_scripts"] == [OTHER_SCRIPT, OURS]
    for kept in ("cluster_id", "cluster_name", "spark_version", "node_type_id", "num_workers"):
        assert edit[kept] == SPEC[kept]
    for read_only in ("state", "driver", "spark_context_id"):
        assert read_only not in edit


def test_existing_listener_list_gains_ours(api: respx.MockRouter) -> None:
    spec = copy.deepcopy(SPEC)
    spec["spark_conf"]["spark.extraListeners"] = "com.example.Audit"
    api.routes["get"].respond(json=spec)
    assert cli([*ARGS, "--yes"], env=ENV).exit_code == 0
    conf = _body(api, "update")["cluster"]["spark_conf"]
    assert conf["spark.extraListeners"] == "com.example.Audit,io.openlineage.spark.agent.OpenLineageSparkListener"


# --- failures: exit 1, which step, what was already done ---------------------------------------------


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (_error(401, "UNAUTHENTICATED", f"invalid token {TOKEN}"), "the token was rejected (401)"),
        (_error(403, "PERMISSION_DENIED", "no access"), "permission denied (403, PERMISSION_DENIED: no access)"),
        (_error(404, "RESOURCE_DOES_NOT_EXIST", f"Cluster {CLUSTER} does not exist"), "not found (404"),
        (httpx.ConnectError("Name or service not known"), "cannot reach https://adb-1234.5.azuredatabricks.net"),
        (httpx.ConnectTimeout("timed out"), f"{HOST} did not answer within 30 s"),
    ],
)
def test_reading_the_cluster_fails_cleanly(api: respx.MockRouter, response: Any, message: str) -> None:
    route = api.routes["get"]
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1, result.output
    assert f"reading cluster {CLUSTER} failed: {message}" in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert {call.request.method for call in api.calls} == {"GET"}
    _no_secrets(result)


def test_upload_refused_says_nothing_else_changed(api: respx.MockRouter) -> None:
    api.routes["import"].mock(return_value=_error(403, "PERMISSION_DENIED", "no write access to /Shared"))
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1
    assert f"uploading the init script to {SCRIPT_PATH} failed: permission denied (403" in result.stderr
    assert "the workspace folder /Shared/openlineage exists" in result.stderr
    assert "update" not in " ".join(_calls(api))
    _no_secrets(result)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            _error(400, "INVALID_STATE", "Cluster is in PENDING state"),
            "accepts edits to a running or terminated cluster",
        ),
        (_error(403, "PERMISSION_DENIED", "needs CAN MANAGE"), "permission denied (403"),
        (_error(401, "UNAUTHENTICATED", "expired"), "the token was rejected (401)"),
        (httpx.ReadTimeout("read timed out"), "did not answer within 30 s"),
        (httpx.ConnectError("connection reset"), "cannot reach"),
    ],
)
def test_cluster_update_failure_says_the_script_was_uploaded(
    api: respx.MockRouter, response: Any, message: str
) -> None:
    route = api.routes["update"]
    if isinstance(response, Exception):
        route.mock(side_effect=response)
    else:
        route.mock(return_value=response)
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1, result.output
    assert f"updating cluster {CLUSTER} failed:" in result.stderr
    assert message in result.stderr
    done = "already done: the workspace folder /Shared/openlineage exists (created if it was missing); "
    assert done + f"the init script was uploaded to {SCRIPT_PATH}" in result.stderr.replace("\n", " ")
    assert "edit" not in " ".join(_calls(api))  # no fallback for a real error
    _no_secrets(result)


def test_cluster_changed_between_plan_and_apply_is_not_overwritten(api: respx.MockRouter) -> None:
    changed = copy.deepcopy(SPEC)
    changed["spark_conf"]["spark.new.key"] = "someone else"
    api.routes["get"].side_effect = [httpx.Response(200, json=SPEC), httpx.Response(200, json=changed)]
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1
    assert "changed since it was read" in result.stderr
    assert "update" not in " ".join(_calls(api))


def test_job_cluster_is_refused(api: respx.MockRouter) -> None:
    api.routes["get"].respond(json={**SPEC, "cluster_source": "JOB"})
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 2
    assert "job cluster" in result.stderr
    assert {call.request.method for call in api.calls} == {"GET"}


def test_redirect_is_not_followed(api: respx.MockRouter) -> None:
    api.routes["get"].mock(return_value=httpx.Response(302, headers={"location": "https://login.example.com/"}))
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1
    assert "redirected to https://login.example.com/" in result.stderr


# --- input checked before any request ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (ARGS, {}, "--apply needs a Databricks token in DATABRICKS_TOKEN"),
        (["databricks", "--apply", "--cluster-id", CLUSTER, *CONN], ENV, "--apply needs --host"),
        (["databricks", "--apply", "--host", "http://adb.example", "--cluster-id", CLUSTER, *CONN], ENV, "https://"),
        (["databricks", "--apply", "--host", HOST, "--cluster-id", "x y", *CONN], ENV, "is not a cluster ID"),
        ([*ARGS, "--workspace-path", "/Volumes/c/s/v/init.sh"], ENV, "must not be /Volumes/"),
        ([*ARGS, "--token", TOKEN], ENV, "No such option"),
    ],
)
def test_bad_apply_input_is_exit_2_without_a_request(
    api: respx.MockRouter, args: list[str], env: dict[str, str], message: str
) -> None:
    result = cli([*args, "--yes"], env=env)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.calls.call_count == 0
