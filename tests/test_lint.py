"""lint: each problem an event can have, found by the pure check (table-driven), and the summary table."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from lineage_setup import backends, lint

RUN_ID = "0193a5c2-7f00-7000-8000-000000000001"
OTHER_RUN = "0193a5c2-7f00-7000-8000-0000000000ff"
GOOD: dict[str, Any] = {
    "eventType": "COMPLETE",
    "eventTime": "2026-11-25T10:00:00.123+00:00",
    "run": {"runId": RUN_ID},
    "job": {
        "namespace": "prod",
        "name": "jaffle.people",
        "facets": {
            "jobType": {
                "_producer": "https://example.com/p",
                "_schemaURL": "https://openlineage.io/spec/facets/2-0-2/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                "processingType": "BATCH",
                "integration": "DBT",
                "jobType": "MODEL",
            }
        },
    },
    "inputs": [{"namespace": "postgres://db:5432", "name": "shop.public.raw"}],
    "outputs": [{"namespace": "s3://bucket", "name": "people"}],
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
}
DATASET_EVENT = {
    "eventTime": "2026-11-25T10:00:00Z",
    "dataset": {"namespace": "postgres://db:5432", "name": "shop.public.people"},
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
}
JOB_EVENT = {
    "eventTime": "2026-11-25T10:00:00Z",
    "job": {"namespace": "prod", "name": "jaffle.people"},
    "inputs": [],
    "outputs": [{"namespace": "bigquery", "name": "project.dataset.people"}],
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
}
DATADOG = lint.Context(backends.get("datadog"), "prod")
MARQUEZ = lint.Context(backends.get("marquez"))
ATLAN = lint.Context(backends.get("atlan"), "my-connection")
SMALL = lint.Context(dataclasses.replace(backends.get("custom"), title="Tiny", max_event_bytes=1000))
ANY = lint.Context()


def _with(path: str, value: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of `event` (GOOD) with the value at a dotted path set; `...` deletes it."""
    changed = copy.deepcopy(GOOD if event is None else event)
    *parents, last = path.split(".")
    node = changed
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return changed


# --- each problem, one event at a time ------------------------------------------------------------

CASES = [
    # (id, event, context, size, findings as (kind, severity), a fragment of the text)
    ("valid", GOOD, DATADOG, 2000, [], ""),
    ("valid-marquez", GOOD, MARQUEZ, None, [], ""),
    ("valid-dataset-event", DATASET_EVENT, DATADOG, None, [], ""),
    ("valid-job-event", JOB_EVENT, DATADOG, None, [], ""),
    (
        "run-id",
        _with("run.runId", "not-a-uuid"),
        ANY,
        None,
        [("schema", "error")],
        "run.runId: 'not-a-uuid' is not a UUID",
    ),
    ("no-event-time", _with("eventTime", ...), ANY, None, [("schema", "error")], "eventTime is missing"),
    ("naive-time", _with("eventTime", "2026-11-25T10:00:00"), ANY, None, [("schema", "error")], "RFC 3339"),
    ("event-type", _with("eventType", "DONE"), ANY, None, [("schema", "error")], "'DONE' is not one of START"),
    (
        "producer-uri",
        _with("producer", "my tool"),
        ANY,
        None,
        [("schema", "error")],
        "producer: 'my tool' is not a URI",
    ),
    (
        "facet-base",
        _with("job.facets.jobType._producer", ...),
        ANY,
        None,
        [("schema", "error")],
        "_producer is missing",
    ),
    ("inputs-type", _with("inputs", {"a": 1}), ANY, None, [("schema", "error")], "inputs: must be an array"),
    ("dataset-name", _with("outputs.0.name", ...), ANY, None, [("schema", "error")], "outputs[0].name is missing"),
    ("job-event-producer", _with("producer", ..., JOB_EVENT), ANY, None, [("schema", "error")], "not a valid JobEvent"),
    ("not-an-event", {"eventType": "START"}, ANY, None, [("schema", "error")], "not an OpenLineage event"),
    ("namespace", _with("job.namespace", "dev"), DATADOG, None, [("namespace", "warning")], "'dev' is not 'prod'"),
    ("namespace-atlan", GOOD, ATLAN, None, [("namespace", "warning")], "connection you created in Atlan"),
    ("namespace-unchecked", _with("job.namespace", "dev"), ANY, None, [], ""),
    ("empty-io", _with("outputs", [], _with("inputs", [])), ANY, None, [("empty-io", "notice")], "no lineage edge"),
    (
        "empty-io-marquez",
        _with("outputs", ..., _with("inputs", ...)),
        MARQUEZ,
        None,
        [("empty-io", "warning")],
        "Marquez",
    ),
    ("empty-io-start", _with("eventType", "START", _with("inputs", [], _with("outputs", []))), MARQUEZ, None, [], ""),
    ("inputs-only", _with("outputs", []), MARQUEZ, None, [], ""),
    ("job-facet", _with("job.facets", {}), DATADOG, None, [("job-facet", "error")], "no job facet jobType"),
    (
        "job-facet-null",
        _with("job.facets.jobType", None),
        DATADOG,
        None,
        [("schema", "error"), ("job-facet", "error")],
        "Datadog needs it",
    ),
    ("job-facet-other", _with("job.facets", ...), MARQUEZ, None, [], ""),
    ("size-dataplex", GOOD, ANY, 6 * 1024 * 1024, [("size", "warning")], "Google Dataplex takes (5 MB)"),
    ("size-limit", GOOD, SMALL, 1001, [("size", "error")], "1,001 bytes: more than Tiny takes (1,000)"),
    ("size-at-limit", GOOD, SMALL, 1000, [], ""),
    ("dataset-ns", _with("inputs.0.namespace", "dbt-prod"), ANY, None, [("dataset-namespace", "warning")], "inputs[0]"),
    (
        "host-port",
        _with("outputs.0.namespace", "localhost:5432"),
        ANY,
        None,
        [("dataset-namespace", "warning")],
        "'localhost:5432'",
    ),
    (
        "dataset-event-ns",
        _with("dataset.namespace", "shop", DATASET_EVENT),
        ANY,
        None,
        [("dataset-namespace", "warning")],
        "dataset 'shop'",
    ),
]


@pytest.mark.parametrize(
    ("event", "context", "size", "expected", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_is_found_and_only_it(
    event: dict[str, Any], context: lint.Context, size: int | None, expected: list[tuple[str, str]], fragment: str
) -> None:
    findings = lint.check(event, context, size)
    assert [(f.kind, f.severity) for f in findings] == expected
    assert fragment in " ".join(f.text for f in findings)
    assert all(f.kind in lint.KINDS for f in findings)


@pytest.mark.parametrize(
    "namespace",
    [
        "postgres://db:5432",
        "s3://bucket",
        "bigquery",
        "bigquery://",
        "file",
        "arn:aws:glue:us-east-1:123456789012",
        "snowflake://org-account",
        "abfss://c@s.dfs.core.windows.net",
        "kafka://broker:9092",
    ],
)
def test_namespaces_the_naming_spec_uses_pass(namespace: str) -> None:
    assert lint.check(_with("inputs.0.namespace", namespace), ANY) == []


@pytest.mark.parametrize("namespace", ["dbt-prod", "db.example.com", "db:5432", "my_warehouse", ""])
def test_namespaces_without_a_scheme_are_flagged(namespace: str) -> None:
    assert [f.kind for f in lint.check(_with("inputs.0.namespace", namespace), ANY)] == ["dataset-namespace"]


def test_many_bad_dataset_namespaces_are_one_short_finding() -> None:
    event = _with("inputs", [{"namespace": f"ns{i}", "name": "t"} for i in range(40)])
    (finding,) = lint.check(event, ANY)
    assert "inputs[0] 'ns0', inputs[1] 'ns1', inputs[2] 'ns2' and 37 more" in finding.text


def test_schema_problems_are_cut_to_a_few() -> None:
    (finding,) = lint.check({"run": {}, "job": {}}, ANY)
    assert finding.kind == "schema"
    assert finding.text.count(";") == lint.SHOWN - 1 and "more)" in finding.text


# --- across events: the run tracker ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "flagged"),
    [
        (["START", "COMPLETE"], []),
        (["START", "RUNNING", "FAIL"], []),
        (["COMPLETE"], ["COMPLETE"]),
        (["FAIL"], ["FAIL"]),
        (["ABORT"], ["ABORT"]),
        (["RUNNING", "COMPLETE"], ["COMPLETE"]),
        (["OTHER"], []),
    ],
)
def test_a_run_that_ends_without_a_start_is_flagged(types: list[str], flagged: list[str]) -> None:
    tracker = lint.Tracker()
    found = [f for t in types for f in tracker.see(_with("eventType", t)) if f.kind == "no-start"]
    assert [f.text.split()[0] for f in found] == flagged
    assert all(RUN_ID[-8:] in f.text for f in found)


def test_runs_are_told_apart() -> None:
    tracker = lint.Tracker()
    tracker.see(_with("eventType", "START"))
    other = _with("run.runId", OTHER_RUN)
    assert [f.kind for f in tracker.see(other)] == ["no-start"]  # START of another run does not count
    assert tracker.see(GOOD) == []


def test_summary_counts_events_runs_and_findings_by_kind() -> None:
    tracker = lint.Tracker(DATADOG)
    tracker.see(_with("eventType", "START"))
    tracker.see(GOOD)
    tracker.see(_with("job.facets", {}, _with("run.runId", OTHER_RUN)))  # no START and no jobType
    tracker.see(DATASET_EVENT)
    lines = tracker.summary()
    assert lines[0] == "Lint: 4 events, 2 runs, 2 findings"
    rows = {line.split()[0]: int(line.split()[1]) for line in lines[2:]}
    assert rows == {kind: 0 for kind in lint.KINDS} | {"no-start": 1, "job-facet": 1}
    assert len(lines) == 2 + len(lint.KINDS)


def test_a_run_past_the_limit_is_counted_but_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint, "MAX_RUNS", 1)
    tracker = lint.Tracker()
    tracker.see(_with("eventType", "START"))
    assert tracker.see(_with("run.runId", OTHER_RUN)) == []  # not followed: no no-start guess
    assert len(tracker.runs) == 1


def test_report_says_pass_or_tallies() -> None:
    assert lint.report((), "datadog") == ["Lint (datadog): the test events pass every check."]
    findings = lint.check(_with("job.facets", {}, _with("inputs", [], _with("outputs", []))), DATADOG)
    lines = lint.report(findings, "datadog")
    assert lines[0] == "Lint (datadog): 1 error, 0 warnings, 1 notice"
    assert lines[1:] == [f.line() for f in findings]
    assert lint.has_errors(findings) and not lint.has_errors([f for f in findings if f.severity != "error"])
