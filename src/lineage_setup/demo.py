"""`lineage-setup demo`: the whole thing, working, with no account and no project of your own.

A local receiver on a free loopback port, a sample repository (a dbt project and a Great Expectations
project, from templates/demo/) in a temporary folder, the wizard run on it with flags, a test run sent,
and what the receiver got. Nothing outside the temporary folder is touched; it is removed at the end
unless --keep.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from lineage_setup import answers, runner, templates, ui, wizard
from lineage_setup.errors import ExitCode, VerificationError

DEMO_KEY = "demo-key-not-a-secret"
NAMESPACE = "demo"
SAMPLE = {
    "dbt/dbt_project.yml": "demo/dbt_project.yml.tmpl",
    "dbt/profiles.yml": "demo/profiles.yml.tmpl",
    "dbt/models/customers.sql": "demo/customers.sql.tmpl",
    "quality/great_expectations/great_expectations.yml": "demo/great_expectations.yml.tmpl",
    "quality/great_expectations/checkpoints/customers.yml": "demo/checkpoint.yml.tmpl",
}
VALUES = {
    "project": "jaffle_demo",
    "database": "demo.duckdb",
    "name": "'Ada'",
    "checkpoint": "customers",
    "checkpoint_store": "checkpoint_store",
}


def write_sample(root: Path) -> None:
    for rel, template in SAMPLE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(templates.render(template, **VALUES), encoding="utf-8")


def run(keep: bool = False) -> ExitCode:
    from lineage_setup import listen

    events: list[str] = []
    listener = listen.Listener(say=lambda line: events.append(line))
    server = listen.make_server("127.0.0.1", 0, listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    folder = Path(tempfile.mkdtemp(prefix="lineage-setup-demo-"))
    try:
        return _demo(folder, f"http://127.0.0.1:{server.server_address[1]}", listener, events)
    finally:
        server.shutdown()
        server.server_close()
        if keep:
            ui.success(f"\nThe sample repository is kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _demo(folder: Path, url: str, listener: object, events: list[str]) -> ExitCode:
    write_sample(folder)
    ui.success(f"A local OpenLineage receiver listens at {url}; a sample repository is in {folder}.\n")
    flags = answers.Flags(url=url, api_key=DEMO_KEY, namespace=NAMESPACE, backend="custom")
    args = wizard.InitArgs(folder, runner.Mode("apply", yes=True, verify=True), flags)
    try:
        code = wizard.run(args, {"HOME": str(folder)}, None)
    except VerificationError:
        code = ExitCode.FAILED
    ui.success("\nWhat the receiver got:")
    for line in events:
        ui.event(f"  {line}")
    arrived = getattr(listener, "received", 0)
    if code != ExitCode.OK or arrived < 2:
        ui.error("the demo's test events did not arrive")
        return ExitCode.FAILED
    ui.success(
        f"\n{arrived} events arrived. To set up your own repository: lineage-setup init (in it), or "
        "lineage-setup listen in one terminal and --url http://127.0.0.1:5000 in another to try first."
    )
    return ExitCode.OK
