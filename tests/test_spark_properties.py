"""spark-defaults.conf edits: the pure edit module, a real Java-properties reader, and the golden results read back."""

from __future__ import annotations

import re

import pytest
from jproperties import Properties

from lineage_setup.edits import EditError, properties
from lineage_setup.edits.properties import Setting

from .golden_cases import Case, cases, ids
from .helpers import CANARY

CASES = [case for case in cases("spark") if "--add" not in case.args()]
ADDED = [case for case in cases("spark") if "--add" in case.args()]  # a composite: ours is one sub-transport
LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
OURS = re.compile(r"^io\.openlineage:openlineage-spark(_2\.1[0-9])?:")
PACKAGE = "io.openlineage:openlineage-spark_2.12:1.54.0"


def java_read(text: str) -> dict[str, str]:
    """What Spark sees: java.util.Properties semantics (jproperties), values trimmed as Spark does."""
    props = Properties()
    props.load(text.encode("utf-8"), "utf-8")
    return {key: props[key].data.strip() for key in props}


SETTINGS = [
    Setting("spark.jars.packages", PACKAGE, list_sep=",", replaces=OURS),
    Setting("spark.extraListeners", LISTENER, list_sep=","),
    Setting("spark.openlineage.namespace", "dev"),
]


# --- the edit module ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "=starts-with-equals",
        ":starts-with-colon",
        "back\\slash",
        "#not-a-comment",
        "!bang",
        "a=b:c d",
        "ends-with-backslash\\",
        "\\u0041 literal",
        "ünïcode-✓-😀",
        "-Djava.security.properties=",
        "{{secrets/scope/key}}",
    ],
)
def test_values_round_trip_through_a_java_reader(value: str) -> None:
    text = properties.apply("# header\n", [Setting("spark.some.key", value)], "ours")
    assert java_read(text)["spark.some.key"] == value.strip()
    assert properties.get(text, "spark.some.key") == value.strip()
    assert properties.apply(text, [Setting("spark.some.key", value)], "ours") == text  # idempotent


@pytest.mark.parametrize("value", ["two\nlines", "carriage\rreturn", "tab\there", "nul\x00"])
def test_values_that_cannot_be_one_line_are_rejected(value: str) -> None:
    with pytest.raises(properties.ValueRejected):
        properties.apply("a b\n", [Setting("spark.some.key", value)], "ours")


def test_list_keys_keep_every_existing_item_and_gain_ours_once() -> None:
    text = "spark.extraListeners com.a.A,com.b.B\nspark.jars.packages org.x:y:1\n"
    once = properties.apply(text, SETTINGS, "ours")
    seen = java_read(once)
    assert seen["spark.extraListeners"] == f"com.a.A,com.b.B,{LISTENER}"
    assert seen["spark.jars.packages"] == f"org.x:y:1,{PACKAGE}"
    assert properties.apply(once, SETTINGS, "ours") == once


def test_our_package_in_another_version_is_replaced_not_duplicated() -> None:
    old = "io.openlineage:openlineage-spark:0.2.3,org.x:y:1,io.openlineage:openlineage-spark_2.13:1.9.1"
    text = f"spark.jars.packages {old}\n"
    out = properties.apply(text, SETTINGS[:1], "ours")
    assert java_read(out)["spark.jars.packages"] == f"{PACKAGE},org.x:y:1"


def test_the_last_duplicate_is_the_one_changed() -> None:
    text = "spark.openlineage.namespace first\nspark.openlineage.namespace second\n"
    out = properties.apply(text, SETTINGS[2:], "ours")
    assert out == "spark.openlineage.namespace first\nspark.openlineage.namespace dev\n"
    assert java_read(out)["spark.openlineage.namespace"] == "dev"


def test_separator_and_indent_of_a_changed_line_are_kept() -> None:
    text = "  spark.openlineage.namespace   =   old\n"
    assert properties.apply(text, SETTINGS[2:], "c") == "  spark.openlineage.namespace   =   dev\n"


def test_a_comment_ending_in_a_backslash_does_not_continue() -> None:
    text = "# a comment \\\nspark.openlineage.namespace old\n"
    assert properties.apply(text, SETTINGS[2:], "c") == "# a comment \\\nspark.openlineage.namespace dev\n"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("spark.extraListeners a,\\", "backslash"),
        ("spark.extraListeners a,\\\n", "backslash"),
        ("spark.x \\u12\n", "malformed"),
        ("spark.x a\rspark.y b\r", "carriage"),
    ],
)
def test_unsafe_text_is_refused(text: str, why: str) -> None:
    with pytest.raises(EditError, match=why):
        properties.apply(text, SETTINGS, "ours")


def test_empty_file_gets_comment_and_lines() -> None:
    out = properties.apply("", SETTINGS, "ours")
    assert out.splitlines()[0] == "# ours"
    assert java_read(out) == {
        "spark.jars.packages": PACKAGE,
        "spark.extraListeners": LISTENER,
        "spark.openlineage.namespace": "dev",
    }


# --- golden files (test_golden.py applies and re-runs every case through the CLI) ----------------------


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_golden_after_files_read_back_as_spark_would(case: Case) -> None:
    assert case.after is not None
    seen = java_read((case.after / "spark-defaults.conf").read_text("utf-8"))
    assert LISTENER in [item.strip() for item in seen["spark.extraListeners"].split(",")]
    packages = [item.strip() for item in seen["spark.jars.packages"].split(",")]
    assert [p for p in packages if OURS.search(p)] == [PACKAGE]
    assert seen["spark.openlineage.transport.type"] == "http"
    assert seen["spark.openlineage.transport.url"] == "https://lineage.example.com"
    assert seen["spark.openlineage.transport.endpoint"] == "/api/v1/lineage"
    assert seen["spark.openlineage.transport.auth.type"] == "api_key"
    assert seen["spark.openlineage.transport.auth.apiKey"] == CANARY
    assert seen["spark.openlineage.namespace"] == "dev"


@pytest.mark.parametrize("case", ADDED, ids=ids)
def test_golden_after_files_with_add_read_back_as_a_composite(case: Case) -> None:
    assert case.after is not None
    seen = java_read((case.after / "spark-defaults.conf").read_text("utf-8"))
    assert LISTENER in [item.strip() for item in seen["spark.extraListeners"].split(",")]
    ours = "spark.openlineage.transport.transports.lineage_setup_lineage_example_com."
    assert seen["spark.openlineage.transport.type"] == "composite"
    assert seen["spark.openlineage.transport.continueOnFailure"] == "true"
    assert (seen[ours + "url"], seen[ours + "endpoint"], seen[ours + "auth.apiKey"]) == (
        "https://lineage.example.com",
        "/api/v1/lineage",
        CANARY,
    )
    others = {key.split(".")[4] for key in seen if key.startswith("spark.openlineage.transport.transports.")}
    assert len(others) >= 2  # what it sent to before, still there


def test_key_listed_without_value_gets_a_separator() -> None:
    text = "spark.master local\nspark.openlineage.namespace\nspark.extraListeners\n"
    settings = [
        properties.Setting("spark.openlineage.namespace", "ns"),
        properties.Setting("spark.extraListeners", "L", list_sep=","),
    ]
    result = properties.apply(text, settings, "c")
    assert result == "spark.master local\nspark.openlineage.namespace ns\nspark.extraListeners L\n"
    assert properties.apply(result, settings, "c") == result
