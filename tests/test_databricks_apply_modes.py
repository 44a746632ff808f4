"""`databricks --apply` and the cluster's access mode (the TLS workaround lines), and Ctrl-C in the middle of it.

Access modes: `DataSecurityMode` in databricks/databricks-sdk-py v0.162.0 `databricks/sdk/service/compute.py`.
Databricks does not support `spark.executor.extraJavaOptions` in Standard (shared) access mode
(https://docs.databricks.com/aws/en/compute/standard-limitations, "Spark API limitations").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from lineage_setup.errors import Signalled
from lineage_setup.integrations.databricks import access

from .helpers import CANARY, CONN, cli

HOST = "https://adb-1234.5.azuredatabricks.net"
CLUSTER = "0123-456789-abcdefgh"
TOKEN = "dapi_TOKEN_CANARY_0123456789"
ENV = {"DATABRICKS_TOKEN": TOKEN}
ARGS = ["databricks", "--apply", "--host", HOST, "--cluster-id", CLUSTER, *CONN]
TLS = "-Djava.security.properties="
JAVA_OPTIONS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")
# every DataSecurityMode value of databricks-sdk v0.162.0, and whether the TLS lines may go in
SDK_MODES = {
    "DATA_SECURITY_MODE_AUTO": False,  # Databricks chooses, maybe Standard
    "DATA_SECURITY_MODE_DEDICATED": True,
    "DATA_SECURITY_MODE_STANDARD": False,
    "LEGACY_PASSTHROUGH": False,  # legacy high-concurrency (shared) clusters
    "LEGACY_SINGLE_USER": True,
    "LEGACY_SINGLE_USER_STANDARD": True,  # no isolation
    "LEGACY_TABLE_ACL": False,  # legacy shared clusters with table ACLs
    "NONE": True,  # no isolation shared
    "SINGLE_USER": True,  # legacy alias of DEDICATED
    "USER_ISOLATION": False,  # legacy alias of STANDARD
}


def _spec(mode: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "cluster_id": CLUSTER,
        "cluster_name": "etl",
        "spark_version": "15.4.x-scala2.12",
        "state": "TERMINATED",
        "cluster_source": "UI",
        "spark_conf": {"spark.sql.shuffle.partitions": "8"},
        "init_scripts": [],
    }
    if mode is not None:
        spec["data_security_mode"] = mode
    return spec


@pytest.fixture
def api() -> respx.MockRouter:
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        mock.get("/api/2.1/clusters/get", name="get").respond(json=_spec(None))
        missing = httpx.Response(404, json={"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"})
        mock.get("/api/2.0/workspace/export", name="export").mock(return_value=missing)
        mock.post("/api/2.0/workspace/mkdirs", name="mkdirs").respond(json={})
        mock.post("/api/2.0/workspace/import", name="import").respond(json={})
        mock.post("/api/2.1/clusters/update", name="update").respond(json={})
        yield mock


def _sent_conf(api: respx.MockRouter) -> dict[str, str]:
    body = json.loads(api.routes["update"].calls.last.request.content)
    conf: dict[str, str] = body["cluster"]["spark_conf"]
    return conf


def test_every_sdk_mode_is_classified_as_the_table_says() -> None:
    for mode, allowed in SDK_MODES.items():
        assert (access.tls_refused_because(mode) is None) is allowed, mode
    assert set(SDK_MODES) >= access.SHARED
    assert access.AUTO in SDK_MODES


@pytest.mark.parametrize("mode", sorted(m for m, allowed in SDK_MODES.items() if not allowed))
def test_standard_access_mode_gets_no_tls_lines_and_is_told_why(api: respx.MockRouter, mode: str) -> None:
    api.routes["get"].respond(json=_spec(mode))
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    conf = _sent_conf(api)
    assert not [key for key in conf if key in JAVA_OPTIONS]
    assert conf["spark.openlineage.transport.auth.apiKey"] == CANARY
    note = " ".join(result.stderr.split())
    assert f"the TLS workaround lines ({TLS} in extraJavaOptions) were left out" in note
    assert mode in note and "does not support spark.executor.extraJavaOptions" in note
    assert TLS not in result.stdout  # not in the diff either
    assert CANARY not in result.stdout + result.stderr


@pytest.mark.parametrize("mode", [None, *sorted(m for m, allowed in SDK_MODES.items() if allowed)])
def test_dedicated_and_no_isolation_clusters_keep_the_seed_lines(api: respx.MockRouter, mode: str | None) -> None:
    api.routes["get"].respond(json=_spec(mode))
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    conf = _sent_conf(api)
    assert [conf[key] for key in JAVA_OPTIONS] == [TLS, TLS]
    assert "were left out" not in result.stderr


def test_no_tls_workaround_on_a_dedicated_cluster_says_nothing_about_modes(api: respx.MockRouter) -> None:
    api.routes["get"].respond(json=_spec("USER_ISOLATION"))
    result = cli([*ARGS, "--no-tls-workaround", "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    assert not [key for key in _sent_conf(api) if key in JAVA_OPTIONS]
    assert "were left out" not in result.stderr  # nothing was left out that the user asked for


# --- Ctrl-C (and SIGTERM) in the middle of --apply --------------------------------------------------


def _raises(interrupt: BaseException) -> Any:
    """A respx side effect that raises `interrupt` as the request is sent (respx only raises Exceptions)."""

    def effect(request: httpx.Request) -> httpx.Response:
        raise interrupt

    return effect


@pytest.mark.parametrize(("interrupt", "code"), [(KeyboardInterrupt(), 130), (Signalled(15), 143)])
def test_interrupt_while_uploading_says_what_was_done(
    api: respx.MockRouter, tmp_path: Path, interrupt: BaseException, code: int
) -> None:
    api.routes["import"].mock(side_effect=_raises(interrupt))
    script = tmp_path / "local" / "openlineage-init.sh"
    script.parent.mkdir()
    result = cli([*ARGS, "--script", str(script), "--yes"], env=ENV)
    assert result.exit_code == code, result.output
    said = " ".join(result.stderr.split())
    assert (
        "interrupted while uploading the init script to /Shared/openlineage/openlineage-init.sh; already done: "
        "the workspace folder /Shared/openlineage exists (created if it was missing)"
    ) in said
    assert f"the local files were written: {script}" in said
    assert script.read_text().startswith("#!/bin/bash\n")  # the local script stays: it was written before
    assert "clusters/update" not in " ".join(str(call.request.url) for call in api.calls)
    assert "Traceback" not in result.output
    assert TOKEN not in result.stdout + result.stderr


def test_interrupt_while_updating_the_cluster_says_the_script_was_uploaded(api: respx.MockRouter) -> None:
    api.routes["update"].mock(side_effect=_raises(KeyboardInterrupt()))
    result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 130, result.output
    said = " ".join(result.stderr.split())
    assert f"interrupted while updating cluster {CLUSTER}; already done:" in said
    assert "the init script was uploaded to /Shared/openlineage/openlineage-init.sh" in said


@pytest.mark.parametrize(("mode", "warned"), [("USER_ISOLATION", True), ("SINGLE_USER", False), (None, False)])
def test_standard_mode_warns_that_dbfs_has_no_fuse_there(api: respx.MockRouter, mode: str | None, warned: bool) -> None:
    api.routes["get"].respond(json=_spec(mode))
    result = cli([*ARGS, "--dry-run"], env=ENV)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert ("DBFS has no FUSE mount" in said) is warned
    if warned:
        assert "cannot read the jar from /dbfs/databricks/openlineage" in said
