"""What listen does with one request: judge it, count it, say it in a line (with --lint, the findings under
it), and save the event. No sockets here: listen_http feeds it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage_setup.event_schema import kind_of

if TYPE_CHECKING:
    from lineage_setup import lint

PATHS = ("/api/v1/lineage", "/api/v1/lineage/")
MAX_BODY = 16 * 1024 * 1024
FIELD = 200  # characters of a name shown
DATASETS = 10  # inputs (and outputs) named on a line
_SIZE = re.compile(r"[0-9]+")  # ASCII digits only: '²'.isdigit() is True, and int('²') fails


class Refused(Exception):
    """A request refused before its body was judged: the status to answer and the line to print."""

    def __init__(self, status: int, line: str) -> None:
        super().__init__(line)
        self.status, self.line = status, line


@dataclass(frozen=True)
class Outcome:
    status: int
    text: str  # the event's line, then one line per lint finding; each printable
    accepted: bool  # an event was received (201): the one thing listen --forward sends on


@dataclass
class Listener:
    output: Path | None = None
    require_key: str | None = None
    say: Callable[[str], None] = print
    received: int = 0
    rejected: int = 0
    paths: tuple[str, ...] = PATHS  # the paths events are taken at (the backend's, with and without a final /)
    tracker: lint.Tracker | None = None  # --lint: checks each event received
    forward: Callable[[bytes], str | None] | None = None  # --forward: sends an event on; a line when that failed
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, authorization: str | None, body: bytes) -> tuple[int, str]:
        """The status to answer and the text to print for one request; every call is counted."""
        outcome = self.receive(path, authorization, body)
        return outcome.status, outcome.text

    def receive(self, path: str, authorization: str | None, body: bytes) -> Outcome:
        with self._lock:
            try:
                status, lines = self._judge(path, authorization, body)
            except Refused as refused:
                status, lines = refused.status, [refused.line]
            except Exception as exc:  # a bug must not drop the request: answer, count and say it
                status, lines = 500, [f"500 internal error on this request ({type(exc).__name__}); please report it"]
            if status == 201:
                self.received += 1
            else:
                self.rejected += 1
            return Outcome(status, "\n".join(printable(line) for line in lines), status == 201)

    def reject(self, status: int, line: str) -> tuple[int, str]:
        """A request refused before its body was read."""
        with self._lock:
            self.rejected += 1
        return status, printable(line)

    def _judge(self, path: str, authorization: str | None, body: bytes) -> tuple[int, list[str]]:
        if path.split("?", 1)[0] not in self.paths:
            return 404, [f"404 {path}: not an OpenLineage endpoint (POST to {self.paths[0]})"]
        if self.require_key is not None and authorization != f"Bearer {self.require_key}":
            return 401, ["401 rejected: " + ("no Authorization header" if not authorization else "wrong API key")]
        event = parse(body)
        if not kind_of(event):
            return 400, [f"400 malformed event: JSON but not an OpenLineage event ({_keys(event)})"]
        return 201, [describe(event) + self._save(event), *self._lint(event, len(body))]

    def _lint(self, event: dict[str, Any], size: int) -> list[str]:
        """--lint's lines for the event; a bug in a check costs a line, never the event."""
        if self.tracker is None:
            return []
        try:
            return [finding.line() for finding in self.tracker.see(event, size)]
        except Exception as exc:
            return [f"    lint failed on this event ({type(exc).__name__}); please report it"]

    def _save(self, event: dict[str, Any]) -> str:
        """Append the event to --output; a note when that failed (the event was still received)."""
        if self.output is None:
            return ""
        try:
            line = json.dumps(event, separators=(",", ":")) + "\n"
            with self.output.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except (OSError, ValueError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            return f"  (not saved to {self.output}: {reason})"
        return ""


def parse(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a Refused(400) that says what is wrong with it."""
    try:
        event = json.loads(body)
    except UnicodeDecodeError as exc:
        why = f"not UTF-8: {exc.reason} at byte offset {exc.start}"
        raise Refused(400, f"400 malformed event: not JSON ({why})") from None
    except json.JSONDecodeError as exc:
        raise Refused(400, f"400 malformed event: not JSON ({exc})") from None
    except RecursionError:
        raise Refused(400, "400 malformed event: JSON nested too deeply to read") from None
    except ValueError as exc:  # Python's limit on digits in an integer (4,300 by default)
        raise Refused(400, f"400 malformed event: a number in it is too long to read ({str(exc)[:60]}...)") from None
    if not isinstance(event, dict):
        raise Refused(400, "400 malformed event: not a JSON object")
    return event


def _keys(event: dict[str, Any]) -> str:
    if not event:
        return "an empty object"
    names = [str(key)[:40] for key in list(event)[:6]]
    more = ", ..." if len(event) > 6 else ""
    return "keys: " + ", ".join(names) + more + "; a RunEvent has run and job"


def _names(datasets: Any) -> str:
    if not isinstance(datasets, list):
        return ""
    shown = ", ".join(_name(d) if isinstance(d, dict) else "?" for d in datasets[:DATASETS])
    return shown + (f" and {len(datasets) - DATASETS} more" if len(datasets) > DATASETS else "")


def _name(thing: dict[str, Any]) -> str:
    return f"{_field(thing.get('namespace', '?'))}/{_field(thing.get('name', '?'))}"


def _field(value: Any) -> str:
    """A value as shown: text cut to FIELD characters; a list or an object only named (it may be huge, or nested
    too deeply to print)."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None
    if text is None:
        return f"<{type(value).__name__}>"
    return text if len(text) <= FIELD else text[:FIELD] + "..."


def describe(event: dict[str, Any]) -> str:
    """time, eventType (or the kind of event), namespace/name, inputs -> outputs, and the run id's end."""
    kind = kind_of(event)
    now = datetime.now().strftime("%H:%M:%S")
    if kind == "DatasetEvent":
        return f"{now} DatasetEvent {_name(event['dataset'])}"
    job, run = event.get("job"), event.get("run")
    job = job if isinstance(job, dict) else {}
    run = run if isinstance(run, dict) else {}
    flow = ""
    inputs, outputs = _names(event.get("inputs")), _names(event.get("outputs"))
    if inputs or outputs:
        flow = f"  {inputs or '-'} -> {outputs or '-'}"
    if kind == "JobEvent":
        return f"{now} JobEvent {_name(job)}{flow}"
    run_id = _tail(run.get("runId", "?"))
    event_type = _field(event.get("eventType", "?"))
    return f"{now} {event_type:<8} {_name(job)}{flow}  run {run_id}"


def _tail(run_id: Any) -> str:
    """The last 8 characters of a run id: UUIDv7 ids of runs started within a minute share their first 8."""
    return run_id[-8:] if isinstance(run_id, str) else _field(run_id)[-8:]


def printable(text: str) -> str:
    """Control characters (a terminal escape sequence in a posted job name) shown, not obeyed; one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def body_size(lengths: Sequence[str], transfer_encoding: str | None) -> int:
    """The body size the headers announce, or Refused: no body of unknown or unreasonable length is read."""
    if transfer_encoding is not None:
        raise Refused(
            411, f"411 rejected: a body sent with Transfer-Encoding {transfer_encoding!r}; send Content-Length"
        )
    if not lengths:
        raise Refused(411, "411 rejected: no Content-Length header; send the event as a body with its length")
    values = {value.strip() for value in lengths}
    if len(values) > 1:
        raise Refused(400, f"400 rejected: {len(lengths)} different Content-Length headers")
    raw = values.pop()
    if not _SIZE.fullmatch(raw):
        raise Refused(400, f"400 rejected: Content-Length {raw[:40]!r} is not a size")
    if len(raw) > len(str(MAX_BODY)) or int(raw) > MAX_BODY:  # the length first: int() of 5,000 digits fails
        shown = raw if len(raw) <= 20 else raw[:20] + "..."
        raise Refused(413, f"413 rejected: {shown} bytes is more than this receiver takes")
    return int(raw)


def served_paths(endpoint: str) -> tuple[str, ...]:
    """The request paths for an endpoint path (no leading /): with and without a final /."""
    return (f"/{endpoint.strip('/')}", f"/{endpoint.strip('/')}/")
