"""The runner with a stand-in integration: remote changes and infos go through the same modes."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from lineage_setup import answers, plan, runner
from lineage_setup.errors import ExitCode, UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Rendered, Request
from lineage_setup.workspace import Workspace

from .helpers import CANARY


def _integration(applied: list[str]) -> types.SimpleNamespace:
    def plan_(req: Request[object], ws: Workspace) -> None:
        ws.info("lineage is automatic here")
        ws.remote(plan.RemoteChange("cluster c-1", (f"+ key {req.conn.api_key}",), lambda: applied.append("c-1")))

    return types.SimpleNamespace(
        NAME="fake",
        PRINT_FORMATS=("text",),
        check_options=base.no_option_check,
        preflight=base.no_preflight,
        namespace_default=base.no_namespace_default,
        detect=base.no_detect,
        plan=plan_,
        render=lambda req, fmt: Rendered("x\n"),
    )


FLAGS = answers.Flags(url="https://h.example", api_key=CANARY, namespace="n")


@pytest.mark.parametrize(
    ("mode", "code", "applied"),
    [
        (runner.Mode("check"), ExitCode.PENDING, []),
        (runner.Mode("dry-run"), ExitCode.OK, []),
        (runner.Mode("apply", yes=True), ExitCode.OK, ["c-1"]),
    ],
)
def test_remote_changes_follow_the_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: runner.Mode, code: ExitCode, applied: list[str]
) -> None:
    done: list[str] = []
    result = runner.run(_integration(done), root=tmp_path, flags=FLAGS, mode=mode, options={}, env={}, prompter=None)
    out, err = capsys.readouterr()
    assert (result, done) == (code, applied)
    assert "remote  cluster c-1" in out
    assert "+ key ****" in out
    assert "lineage is automatic here" in out
    assert CANARY not in out + err


def test_remote_change_needs_confirmation(tmp_path: Path) -> None:
    done: list[str] = []
    with pytest.raises(UsageError, match="pass --yes"):
        runner.run(
            _integration(done), root=tmp_path, flags=FLAGS, mode=runner.Mode(), options={}, env={}, prompter=None
        )
    assert done == []
