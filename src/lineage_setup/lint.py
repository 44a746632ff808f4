"""Checks on OpenLineage events, as `listen --lint` and `verify --lint` run them: pure, one event at a time.

`check(event, context, size)` finds what is wrong with one event; a `Tracker` adds what needs the events
before it (a COMPLETE with no START) and counts everything for the summary table. What each kind checks:

- schema (error): not valid against the vendored OpenLineage 2-0-2 schema, as the event kind it is
  (RunEvent, DatasetEvent or JobEvent).
- no-start (warning): COMPLETE, FAIL or ABORT for a run whose START did not come before it.
- namespace (warning): the job namespace is not the expected one (`--namespace`; none given: no check).
- empty-io: COMPLETE with no inputs and no outputs; a warning when the backend needs them (needs_io),
  else a notice.
- job-facet (error): a job facet the backend requires is missing (datadog: jobType).
- size: larger than the backend's max_event_bytes (error), or than Google Dataplex's 5 MB (warning).
- dataset-namespace (warning): a dataset namespace with no URI scheme. OpenLineage's naming spec makes it
  scheme://authority (spec/Naming.md: "Namespace = scheme:[//authority]"); `bigquery` and `file` pass (the
  bare names OpenLineage's own integrations send), and host:port (`db:5432`) is not read as a scheme.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from lineage_setup import backends, event_schema

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")
KINDS: dict[str, str] = {  # the summary's rows, in order, and what each means
    "schema": "not valid against the OpenLineage schema",
    "no-start": "run ended with no START seen",
    "namespace": "job namespace not the expected one",
    "empty-io": "COMPLETE without inputs or outputs",
    "job-facet": "job facet the backend requires is missing",
    "size": "event larger than a backend takes",
    "dataset-namespace": "dataset namespace without a scheme",
}
SHOWN = 3  # schema problems and dataset names said per finding
MAX_RUNS = 100_000  # runs remembered; past it, new runs are counted but not followed
ENDS = ("COMPLETE", "FAIL", "ABORT")
BARE_NAMESPACES = frozenset({"bigquery", "file"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?![0-9]+(?:/|$))", re.ASCII)  # `host:5432` is not a scheme


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of KINDS
    severity: Severity
    text: str

    def line(self) -> str:
        return f"    {self.severity} [{self.kind}] {self.text}"


@dataclass(frozen=True)
class Context:
    """What the events are checked for: a backend's needs (None: only what every backend needs), and the job
    namespace they should carry (None: any)."""

    backend: backends.Preset | None = None
    namespace: str | None = None


Check = Callable[[dict[str, Any], str, Context, int | None], Iterator[Finding]]


def check(event: dict[str, Any], context: Context, size: int | None = None) -> list[Finding]:
    """Everything wrong with one event on its own; `size` is its length in bytes as sent (None: not checked)."""
    kind = event_schema.kind_of(event)
    if not kind:
        return [Finding("schema", "error", "not an OpenLineage event: a RunEvent has run and job")]
    return [finding for rule in CHECKS for finding in rule(event, kind, context, size)]


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _schema(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    found = event_schema.problems(event, kind)
    if found:
        more = f" (and {len(found) - SHOWN} more)" if len(found) > SHOWN else ""
        yield Finding("schema", "error", f"not a valid {kind}: " + "; ".join(found[:SHOWN]) + more)


def _namespace(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    namespace = _obj(event.get("job")).get("namespace")
    if context.namespace is None or kind == "DatasetEvent" or namespace == context.namespace:
        return
    hint = context.backend.namespace_hint if context.backend else ""
    text = f"job namespace {_quoted(namespace)} is not {context.namespace!r}" + (f" ({hint})" if hint else "")
    yield Finding("namespace", "warning", text)


def _empty_io(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    if kind != "RunEvent" or event.get("eventType") != "COMPLETE" or event.get("inputs") or event.get("outputs"):
        return
    backend = context.backend
    if backend is not None and backend.needs_io:
        yield Finding("empty-io", "warning", f"no inputs or outputs: {backend.title} shows no lineage for this run")
    else:
        yield Finding("empty-io", "notice", "no inputs or outputs: this run adds no lineage edge")


def _job_facets(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    if kind != "RunEvent" or context.backend is None:
        return
    facets = _obj(_obj(event.get("job")).get("facets"))
    for name in context.backend.job_facets:
        if not isinstance(facets.get(name), dict):
            title, docs = context.backend.title, context.backend.docs
            yield Finding("job-facet", "error", f"no job facet {name}: {title} needs it to process run events ({docs})")


def _size(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    backend = context.backend
    limit = backend.max_event_bytes if backend else None
    if size is not None and backend is not None and limit is not None and size > limit:
        yield Finding("size", "error", f"{size:,} bytes: more than {backend.title} takes ({limit:,})")
    elif size is not None and size > backends.DATAPLEX_MAX_EVENT_BYTES:
        mb = backends.DATAPLEX_MAX_EVENT_BYTES // (1024 * 1024)
        yield Finding("size", "warning", f"{size:,} bytes: more than Google Dataplex takes ({mb} MB)")


def _dataset_namespaces(event: dict[str, Any], kind: str, context: Context, size: int | None) -> Iterator[Finding]:
    bad = [f"{where} {_quoted(namespace)}" for where, namespace in _datasets(event) if not _has_scheme(namespace)]
    if bad:
        more = f" and {len(bad) - SHOWN} more" if len(bad) > SHOWN else ""
        yield Finding(
            "dataset-namespace",
            "warning",
            f"no URI scheme in the dataset namespace of {', '.join(bad[:SHOWN])}{more}: OpenLineage names a "
            "dataset's source scheme://authority (postgres://host:5432, s3://bucket), and backends join lineage on it",
        )


def _datasets(event: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if isinstance(event.get("dataset"), dict):
        yield "dataset", event["dataset"].get("namespace")
    for side in ("inputs", "outputs"):
        datasets = event.get(side)
        for index, dataset in enumerate(datasets if isinstance(datasets, list) else ()):
            if isinstance(dataset, dict):
                yield f"{side}[{index}]", dataset.get("namespace")


def _has_scheme(namespace: Any) -> bool:
    if not isinstance(namespace, str):
        return True  # not a string: the schema check says so
    return namespace in BARE_NAMESPACES or _SCHEME.match(namespace) is not None


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:80]) + ("..." if len(value) > 80 else "")
    return "(none)" if value is None else f"<{type(value).__name__}>"


CHECKS: tuple[Check, ...] = (_schema, _namespace, _empty_io, _job_facets, _size, _dataset_namespaces)


# --- across events --------------------------------------------------------------------------------


@dataclass
class Tracker:
    """Checks events in the order they came, follows their runs, and counts for the summary. Not thread-safe:
    the caller holds a lock."""

    context: Context = field(default_factory=Context)
    events: int = 0
    runs: set[str] = field(default_factory=set)
    started: set[str] = field(default_factory=set)
    found: Counter[str] = field(default_factory=Counter)

    def see(self, event: dict[str, Any], size: int | None = None) -> list[Finding]:
        findings = check(event, self.context, size) + list(self._order(event))
        self.events += 1
        self.found.update(finding.kind for finding in findings)
        return findings

    def _order(self, event: dict[str, Any]) -> Iterator[Finding]:
        run_id = _obj(event.get("run")).get("runId")
        if event_schema.kind_of(event) != "RunEvent" or not isinstance(run_id, str):
            return
        if run_id not in self.runs and len(self.runs) >= MAX_RUNS:
            return  # too many runs to follow: not judged
        self.runs.add(run_id)
        event_type = event.get("eventType")
        if event_type == "START":
            self.started.add(run_id)
        elif event_type in ENDS and run_id not in self.started:
            yield Finding("no-start", "warning", f"{event_type} for run {run_id[-8:]} with no START before it")

    def summary(self) -> list[str]:
        """The table printed at stop: events, runs, and findings by kind."""
        lines = [f"Lint: {self.events} events, {len(self.runs)} runs, {sum(self.found.values())} findings"]
        lines += [f"  {'finding':<18} {'count':>5}  meaning"]
        lines += [f"  {kind:<18} {self.found[kind]:>5}  {meaning}" for kind, meaning in KINDS.items()]
        return lines


def report(findings: tuple[Finding, ...] | list[Finding], backend: str) -> list[str]:
    """verify --lint's lines: how many of each severity, then each finding (none: the events pass)."""
    if not findings:
        return [f"Lint ({backend}): the test events pass every check."]
    count = Counter(finding.severity for finding in findings)
    tally = ", ".join(f"{count[severity]} {severity}{'s' if count[severity] != 1 else ''}" for severity in SEVERITIES)
    return [f"Lint ({backend}): {tally}", *(finding.line() for finding in findings)]


def has_errors(findings: tuple[Finding, ...] | list[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
