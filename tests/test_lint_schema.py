"""event_schema, the schema check lint runs without jsonschema, agrees with jsonschema on the vendored spec."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import event_schema, verify

from .test_lint import DATASET_EVENT, GOOD, JOB_EVENT, _with

SPEC = json.loads((resources.files("lineage_setup") / "spec" / "OpenLineage.json").read_text("utf-8"))


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{kind}", "$defs": SPEC["$defs"]}, format_checker=jsonschema.FormatChecker()
    )


# jsonschema (without its optional format libraries) checks uuid but not date-time or uri: these cases keep
# those two valid, and the formats are tested on their own below.
PARITY = [
    ("RunEvent", GOOD),
    ("RunEvent", _with("run.runId", "nope")),
    ("RunEvent", _with("run", {})),
    ("RunEvent", _with("run", [])),
    ("RunEvent", _with("job.name", ...)),
    ("RunEvent", _with("job.name", 3)),
    ("RunEvent", _with("eventType", "DONE")),
    ("RunEvent", _with("eventType", ...)),
    ("RunEvent", _with("inputs", None)),
    ("RunEvent", _with("inputs", [1])),
    ("RunEvent", _with("inputs.0.facets", {"schema": {"fields": []}})),
    ("RunEvent", _with("inputs.0.inputFacets", {"q": {"_producer": "https://p", "_schemaURL": "https://s"}})),
    ("RunEvent", _with("outputs.0.outputFacets", {"q": 1})),
    ("RunEvent", _with("run.facets", {"parent": {"_producer": "https://p"}})),
    ("RunEvent", _with("job.facets.jobType._deleted", "yes")),
    ("RunEvent", _with("job.facets.jobType._deleted", True)),
    ("RunEvent", _with("producer", ...)),
    ("RunEvent", _with("schemaURL", 7)),
    ("RunEvent", []),
    ("RunEvent", "event"),
    ("DatasetEvent", DATASET_EVENT),
    ("DatasetEvent", {**DATASET_EVENT, "job": {"namespace": "a", "name": "b"}, "run": {"runId": GOOD["run"]["runId"]}}),
    ("DatasetEvent", _with("dataset.name", ..., DATASET_EVENT)),
    ("DatasetEvent", _with("dataset", "x", DATASET_EVENT)),
    ("JobEvent", JOB_EVENT),
    ("JobEvent", {**JOB_EVENT, "run": {"runId": GOOD["run"]["runId"]}}),
    ("JobEvent", _with("job", ..., JOB_EVENT)),
    ("JobEvent", _with("outputs.0.namespace", None, JOB_EVENT)),
]


@pytest.mark.parametrize(("kind", "event"), PARITY)
def test_same_verdict_as_jsonschema(kind: str, event: Any) -> None:
    expected = _validator(kind).is_valid(event)
    found = event_schema.problems(event, kind)
    assert (not found) == expected, found
    assert len(found) <= event_schema.MOST


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just(GOOD["run"]["runId"]))
_json = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_paths = st.sampled_from(  # producer, schemaURL and eventTime are formats jsonschema does not check here
    [
        "eventType",
        "run",
        "run.runId",
        "run.facets",
        "job",
        "job.name",
        "job.facets",
        "job.facets.jobType",
        "inputs",
        "inputs.0",
        "inputs.0.name",
        "outputs.0.facets",
    ]
)


@settings(max_examples=300, deadline=None)
@given(path=_paths, value=_json)
def test_same_verdict_as_jsonschema_for_random_changes(path: str, value: Any) -> None:
    event = _with(path, value)
    assert (not event_schema.problems(event, "RunEvent")) == _validator("RunEvent").is_valid(event)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-11-25T10:00:00Z", True),
        ("2026-11-25T10:00:00.123456+02:00", True),
        ("2026-11-25t10:00:00z", True),
        ("2016-12-31T23:59:60Z", True),  # a leap second
        ("2026-11-25T10:00:00", False),  # no offset
        ("2026-11-25", False),
        ("2026-02-30T10:00:00Z", False),
        ("2026-11-25T24:00:00Z", False),
        ("2026-11-25T10:00:00+25:00", False),
        ("2026-11-25 10:00:00Z", False),
        ("２０２６-11-25T10:00:00Z", False),  # not ASCII digits
    ],
)
def test_date_time_is_rfc_3339(text: str, ok: bool) -> None:
    assert (not event_schema.problems(_with("eventTime", text), "RunEvent")) == ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [("https://github.com/x/y", True), ("urn:example:tool", True), ("my tool", False), ("", False), ("//x", False)],
)
def test_uri_has_a_scheme(text: str, ok: bool) -> None:
    assert (not event_schema.problems(_with("producer", text), "RunEvent")) == ok


def test_every_keyword_of_the_vendored_schema_is_checked() -> None:
    assert event_schema.schema()["$id"] == "https://openlineage.io/spec/2-0-2/OpenLineage.json"
    assert event_schema._unknown_keywords(SPEC) == set()  # the whole document, root oneOf included


@pytest.mark.parametrize(
    ("node", "unknown"),
    [
        ({"type": "string", "pattern": "^a"}, {"pattern"}),
        ({"properties": {"a": {"minLength": 1}}}, {"minLength"}),
        ({"allOf": [{"type": "integer"}]}, {"type integer"}),
        ({"items": {"format": "email"}}, {"format email"}),
        ({"not": {"const": 1}}, {"const"}),
    ],
)
def test_a_schema_keyword_it_cannot_check_is_refused(node: dict[str, Any], unknown: set[str]) -> None:
    assert event_schema._unknown_keywords(node) == unknown


def test_a_newer_schema_with_unknown_keywords_fails_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    newer = copy.deepcopy(SPEC)
    newer["$defs"]["Run"]["properties"]["runId"]["pattern"] = "^[0-9a-f-]+$"
    monkeypatch.setattr(json, "loads", lambda text: newer)
    event_schema.schema.cache_clear()
    try:
        with pytest.raises(ValueError, match="pattern"):
            event_schema.schema()
    finally:
        monkeypatch.undo()
        event_schema.schema.cache_clear()
    assert event_schema.schema()["$defs"]["Run"]["properties"]["runId"].get("pattern") is None


def test_verify_events_pass_for_every_facet_verify_builds() -> None:
    start, complete = verify.events("dev", job_facets=tuple(verify.FACETS))
    for event in (start, complete):
        assert event_schema.problems(event, "RunEvent") == []
        _validator("RunEvent").validate(event)
