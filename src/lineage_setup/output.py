"""How a run's output is delivered: text (quiet, normal or verbose), or one JSON document at the end.

With --json nothing is printed while the run goes on: ui.py adds each message to a report here, and
the report is written to stdout once, with the exit code, when the command ends. Its shape is versioned
("schema": 1) and described by spec/output.schema.json.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

SCHEMA = 1
QUIET, NORMAL, VERBOSE = 0, 1, 2


@dataclass
class _State:
    command: str = ""
    json: bool = False
    verbosity: int = NORMAL
    report: dict[str, Any] = field(default_factory=dict)


_state = _State()


def begin(command: str, *, as_json: bool = False, verbosity: int = NORMAL) -> None:
    global _state
    _state = _State(command, as_json, verbosity, {"schema": SCHEMA, "command": command})


def json_mode() -> bool:
    return _state.json


def verbosity() -> int:
    return _state.verbosity


def add(key: str, item: Any) -> None:
    """Append to a list in the report (warnings, changes, steps, ...)."""
    _state.report.setdefault(key, []).append(item)


def put(key: str, value: Any) -> None:
    """Set one entry of the report (connection, config, ...)."""
    _state.report[key] = value


def _redacted(value: Any) -> Any:
    """Every string of the document through redact (what the text output masks), except --print's config."""
    from lineage_setup.redact import redact

    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


def finish(exit_code: int) -> None:
    """Write the report (in --json mode): one document on stdout, with the exit code; then back to plain
    output (a program calling main() twice, or a test, gets a fresh state)."""
    global _state
    report, as_json = _state.report, _state.json
    _state = _State()
    if not as_json:
        return
    report = {key: value if key == "config" else _redacted(value) for key, value in report.items()}
    report["exit_code"] = int(exit_code)
    import json  # only for --json (a run that prints text does without it)

    sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
