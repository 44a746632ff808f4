"""verify --lint: the test events checked for the chosen backend; a backend that needs a job facet gets it."""

from __future__ import annotations

from typing import Any

import pytest

from lineage_setup import backends, lint, verify

from .helpers import CANARY, cli
from .receiver import receiver


def _client_job_type(facet: dict[str, Any]) -> dict[str, Any]:
    """The facet rebuilt with the OpenLineage Python client's own model, as the client would send it."""
    from openlineage.client.facet_v2 import job_type_job
    from openlineage.client.serde import Serde

    fields = {k: v for k, v in facet.items() if not k.startswith("_")}
    rebuilt: dict[str, Any] = Serde.to_dict(job_type_job.JobTypeJobFacet(**fields))
    return rebuilt


def test_datadog_test_events_carry_a_job_type_facet_the_client_would_build() -> None:
    start, complete = verify.events("dev", job_facets=backends.get("datadog").job_facets)
    facet = start["job"]["facets"]["jobType"]
    assert complete["job"]["facets"] == start["job"]["facets"]
    assert {k: v for k, v in _client_job_type(facet).items() if not k.startswith("_")} == {
        "processingType": "BATCH",
        "integration": "LINEAGE_SETUP",
        "jobType": "JOB",
    }
    assert facet["_producer"] == verify.PRODUCER


def test_events_without_facets_are_as_before() -> None:
    start, _ = verify.events("dev")
    assert "facets" not in start["job"]


@pytest.mark.parametrize("name", list(backends.PRESETS))
def test_the_test_events_have_no_error_for_any_backend(name: str) -> None:
    preset = backends.get(name)
    tracker = lint.Tracker(lint.Context(preset, "dev"))
    findings = [f for event in verify.events("dev", job_facets=preset.job_facets) for f in tracker.see(event, 1000)]
    assert not lint.has_errors(findings), findings
    assert {f.kind for f in findings} <= {"empty-io"}  # a test run has no datasets, on purpose


def test_without_the_facet_datadog_lint_reports_it() -> None:
    tracker = lint.Tracker(lint.Context(backends.get("datadog"), "dev"))
    findings = [f for event in verify.events("dev") for f in tracker.see(event)]
    assert [f.kind for f in findings if f.severity == "error"] == ["job-facet", "job-facet"]


def test_cli_verify_lint_for_datadog_sends_job_type_and_passes() -> None:
    with receiver() as rx:
        args = ["verify", "--url", rx.url, "--namespace", "dev", "--api-key", CANARY, "--backend", "datadog"]
        result = cli([*args, "--lint"])
    assert result.exit_code == 0, result.output
    assert "Lint (datadog): 0 errors, 0 warnings, 1 notice" in result.stderr
    assert "notice [empty-io]" in result.stderr
    assert [e["job"]["facets"]["jobType"]["jobType"] for e in rx.events()] == ["JOB", "JOB"]
    context = lint.Context(backends.get("datadog"), "dev")
    assert [f.kind for e in rx.events() for f in lint.check(e, context)] == ["empty-io"]  # as received
    assert CANARY not in result.output


def test_cli_verify_lint_error_is_exit_1_after_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "FACETS", {})  # as if verify could not build the facet datadog needs
    with receiver() as rx:
        args = ["verify", "--url", rx.url, "--namespace", "dev", "--api-key", CANARY, "--backend", "datadog"]
        result = cli([*args, "--lint"])
    assert result.exit_code == 1
    assert "error [job-facet] no job facet jobType" in result.stderr
    assert "--lint: the test events are not what datadog needs" in result.stderr
    assert len(rx.requests) == 2  # sent all the same: the exchange is still tested


def test_cli_verify_without_lint_says_nothing_of_it() -> None:
    with receiver() as rx:
        result = cli(["verify", "--url", rx.url, "--namespace", "dev", "--api-key", CANARY, "--backend", "marquez"])
    assert result.exit_code == 0
    assert "Lint" not in result.output
    assert all("facets" not in e["job"] for e in rx.events())


def test_cli_verify_lint_for_marquez_warns_of_the_empty_run() -> None:
    with receiver() as rx:
        args = ["verify", "--url", rx.url, "--namespace", "dev", "--api-key", CANARY, "--backend", "marquez"]
        result = cli([*args, "--lint"])
    assert result.exit_code == 0
    assert "warning [empty-io] no inputs or outputs: Marquez shows no lineage for this run" in result.stderr
