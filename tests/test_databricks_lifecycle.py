"""Databricks from setup to removal: the wizard finds a bundle or our init script, status says what can be known
here (the script, its jar) and that the cluster's config is remote, --add sends beside the cluster's transport,
and remove deletes our unchanged script and undoes the cluster: as steps, or through the REST client."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import respx

from lineage_setup.integrations import databricks
from lineage_setup.workspace import Workspace

from .golden_cases import GOLDEN, copy_golden
from .helpers import CANARY, CONN, cli, files
from .test_databricks_apply import CLUSTER, ENV, HOST, OTHER_SCRIPT, OURS, SPEC, TOKEN, _body, _calls

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))
BUNDLE = "bundle:\n  name: etl-jobs\n"
RESTORED = ("bundle", "fresh", "no-tls-workaround", "script-elsewhere", "volume-path")  # older-script: ours is replaced
OURS_CONF = {
    "spark.openlineage.namespace": "dev",
    "spark.openlineage.transport.type": "http",
    "spark.openlineage.transport.url": "https://lineage.example.com",
    "spark.openlineage.transport.endpoint": "/api/v1/lineage",
    "spark.openlineage.transport.auth.type": "api_key",
    "spark.openlineage.transport.auth.apiKey": CANARY,
    "spark.driver.extraJavaOptions": "-Xss4m -Djava.security.properties=",
    "spark.executor.extraJavaOptions": "-Djava.security.properties=",
    "spark.extraListeners": "com.example.Audit,io.openlineage.spark.agent.OpenLineageSparkListener",
    "spark.sql.shuffle.partitions": "8",
}


def _json(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    result = cli([*args, "--json"], env=env)
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code and CANARY not in result.stdout + result.stderr
    return document


def _setup(root: Path, *args: str) -> None:
    result = cli(["databricks", "--dir", str(root), *CONN, *args, "--yes"])
    assert result.exit_code == 0, result.output


def test_detect_a_bundle_our_script_and_not_someone_elses(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "databricks.yml").write_text(BUNDLE)
    (tmp_path / "ours").mkdir()
    _setup(tmp_path / "ours")
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "openlineage-init.sh").write_text("#!/bin/bash\ncp /dbfs/x.jar /mnt/driver-daemon/jars\n")
    report = _json(["status", "--dir", str(tmp_path)])
    found = {f["path"]: f for f in report["found"]}
    assert set(found) == {"bundle", "ours"}
    assert (found["bundle"]["name"], found["bundle"]["lineage"]) == ("etl-jobs", "not configured")
    assert found["ours"]["lineage"] == "configured"
    facts = {f["name"]: f["value"] for f in found["ours"]["facts"]}
    assert facts["jar"] == "/dbfs/databricks/openlineage/openlineage-spark_*.jar"
    status = {s["path"]: s for s in report["status"]}
    assert [p for p in status["bundle"]["problems"] if "no init script here" in p]
    assert status["ours"]["problems"] == []
    settings = {s["name"]: (s["value"], s["source"]) for s in status["ours"]["settings"]}
    assert settings["sends to"] == ("what the cluster's Spark config says (in the workspace)", "not in these files")
    assert settings["openlineage-spark"][0].startswith("1.9.1 or newer")
    assert settings["init script"][0] == "openlineage-init.sh (as lineage-setup writes it)"
    assert report["exit_code"] == 1


def test_status_says_an_older_script_loses_the_spark_ui(tmp_path: Path) -> None:
    copy_golden(GOLDEN / "databricks" / "older-script" / "before", tmp_path / "p")
    report = _json(["status", "--dir", str(tmp_path / "p")])
    problems = " ".join(report["status"][0]["problems"])
    assert "DBCEventLoggingListener" in problems and "--jar-path" in problems  # rerun keeps its jar name
    settings = {s["name"]: s["value"] for s in report["status"][0]["settings"]}
    assert settings["openlineage-spark"].startswith("before 1.9.1")


@pytest.mark.parametrize("case", sorted(p.name for p in (GOLDEN / "databricks").iterdir()))
def test_setup_then_remove(case: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    copy_golden(GOLDEN / "databricks" / case / "before", root)
    original = files(root)
    args_file = GOLDEN / "databricks" / case / "args"
    args = args_file.read_text().splitlines() if args_file.exists() else []
    _setup(root, *(arg.replace("{root}", str(root)) for arg in args if not arg.startswith("#")))
    removed = cli(["remove", "databricks", "--dir", str(root), "--yes"])
    assert removed.exit_code == 0, removed.output
    assert "Still to undo" in removed.stdout and "Init scripts" in removed.stdout
    if case in RESTORED:
        assert files(root) == original
    else:
        assert not list(root.rglob("openlineage-init.sh"))


def test_remove_leaves_an_edited_script_and_says_so(tmp_path: Path) -> None:
    _setup(tmp_path)
    script = tmp_path / "openlineage-init.sh"
    script.write_text(script.read_text() + "echo mine\n")
    result = cli(["remove", "--dir", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "edited since lineage-setup wrote it" in result.stdout + result.stderr
    assert script.read_text().endswith("echo mine\n")


def test_init_status_and_remove_end_to_end(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "jobs").mkdir(parents=True)
    (repo / "jobs" / "databricks.yml").write_text(BUNDLE)
    original = files(repo)
    done = _json(["init", "--dir", str(repo), "--no-input", *CONN, "--yes"])
    assert done["exit_code"] == 0 and (repo / "jobs" / "openlineage-init.sh").is_file()
    assert _json(["status", "--dir", str(repo)])["exit_code"] == 0
    removed = _json(["remove", "--dir", str(repo), "--yes"])
    assert removed["exit_code"] == 0
    assert files(repo) == original


def test_add_without_apply_says_how_to_keep_the_clusters_transport(tmp_path: Path) -> None:
    result = cli(["databricks", "--dir", str(tmp_path), *CONN, "--add", "--yes"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "spark.openlineage.transport.type composite" in out
    assert "spark.openlineage.transport.continueOnFailure true" in out
    assert (
        "spark.openlineage.transport.transports.lineage_setup_lineage_example_com.url https://lineage.example.com"
        in out
    )
    assert "rename each spark.openlineage.transport.<key>" in out


@pytest.fixture
def api() -> Any:
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        mock.get("/api/2.1/clusters/get", name="get").respond(json=SPEC)
        mock.get("/api/2.0/workspace/export", name="export").respond(
            404, json={"error_code": "RESOURCE_DOES_NOT_EXIST"}
        )
        mock.post("/api/2.0/workspace/mkdirs", name="mkdirs").respond(json={})
        mock.post("/api/2.0/workspace/import", name="import").respond(json={})
        mock.post("/api/2.1/clusters/update", name="update").respond(json={})
        yield mock


def test_add_with_apply_moves_the_clusters_transport_into_a_composite(api: Any, tmp_path: Path) -> None:
    theirs = {"spark.openlineage.transport.type": "http", "spark.openlineage.transport.url": "http://m.internal:5000"}
    api.routes["get"].respond(json={**SPEC, "spark_conf": {**SPEC["spark_conf"], **theirs}})
    args = ["databricks", "--apply", "--host", HOST, "--cluster-id", CLUSTER, "--dir", str(tmp_path), *CONN]
    result = cli([*args, "--add", "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    conf = _body(api, "update")["cluster"]["spark_conf"]
    assert conf["spark.openlineage.transport.type"] == "composite"
    assert conf["spark.openlineage.transport.transports.m_internal.url"] == "http://m.internal:5000"
    assert conf["spark.openlineage.transport.transports.lineage_setup_lineage_example_com.auth.apiKey"] == CANARY
    assert conf["spark.openlineage.namespace"] == "old"  # theirs: one namespace for every destination
    assert "spark.openlineage.transport.url" not in conf
    assert "- spark.openlineage.transport.url http://m.internal:5000" in result.stdout
    assert CANARY not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr


def _removal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Workspace:
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    ws = Workspace(tmp_path)
    options = databricks.Options(apply=True, host=HOST, cluster_id=CLUSTER)
    databricks.plan_removal(ws, options)
    return ws


def test_remove_with_apply_takes_ours_off_the_cluster_and_keeps_theirs(
    api: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api.routes["get"].respond(json={**SPEC, "spark_conf": OURS_CONF, "init_scripts": [OTHER_SCRIPT, OURS]})
    plan = _removal(monkeypatch, tmp_path).plan()
    (change,) = plan.remote
    assert "- spark.openlineage.transport.auth.apiKey " + CANARY in change.diff and CANARY in change.secrets
    assert "- workspace /Shared/openlineage/openlineage-init.sh" in change.diff
    assert [step for step in plan.steps if "databricks workspace delete /Shared/openlineage" in step]
    change.apply()
    update = _body(api, "update")["cluster"]
    assert update["spark_conf"] == {
        "spark.driver.extraJavaOptions": "-Xss4m",
        "spark.extraListeners": "com.example.Audit",
        "spark.sql.shuffle.partitions": "8",
    }
    assert update["init_scripts"] == [OTHER_SCRIPT]
    assert _calls(api) == ["GET /api/2.1/clusters/get", "GET /api/2.1/clusters/get", "POST /api/2.1/clusters/update"]


def test_remove_with_apply_gives_the_other_sub_transport_its_keys_back(
    api: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ours = "spark.openlineage.transport.transports.lineage_setup_lineage_example_com."
    conf = {
        "spark.openlineage.namespace": "old",
        "spark.openlineage.transport.type": "composite",
        "spark.openlineage.transport.continueOnFailure": "true",
        "spark.openlineage.transport.transports.m_internal.type": "http",
        "spark.openlineage.transport.transports.m_internal.url": "http://m.internal:5000",
        ours + "type": "http",
        ours + "url": "https://lineage.example.com",
    }
    api.routes["get"].respond(json={**SPEC, "spark_conf": conf, "init_scripts": [OURS]})
    (change,) = _removal(monkeypatch, tmp_path).plan().remote
    change.apply()
    assert _body(api, "update")["cluster"] == {
        "spark_conf": {
            "spark.openlineage.namespace": "old",
            "spark.openlineage.transport.type": "http",
            "spark.openlineage.transport.url": "http://m.internal:5000",
        },
        "init_scripts": [],
    }


def test_remove_with_apply_changes_nothing_on_a_cluster_without_ours(
    api: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api.routes["get"].respond(json={**SPEC, "spark_conf": {"spark.sql.shuffle.partitions": "8"}})
    assert _removal(monkeypatch, tmp_path).plan().remote == ()
