"""spark-defaults.conf at scale: one parse per text, no per-character decoding of plain values, and the
entries worked out for the edited text (instead of parsing it again) equal a fresh parse of it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jproperties import Properties

from lineage_setup.edits import EditError, properties
from lineage_setup.edits.properties import Setting

SETTINGS = [
    Setting("spark.jars.packages", "io.openlineage:openlineage-spark_2.12:1.54.0", ",", re.compile("^io.openlineage:")),
    Setting("spark.extraListeners", "io.openlineage.spark.agent.OpenLineageSparkListener", list_sep=","),
    *(Setting(f"spark.openlineage.transport.k{i}", f"v{i}") for i in range(5)),
    Setting("spark.openlineage.namespace", "dev"),
]


def java_read(text: str) -> dict[str, str]:
    props = Properties()
    props.load(text.encode("utf-8"), "utf-8")
    return {key: props[key].data.strip(" \t\n\r\f\v") for key in props}


def big_conf(lines: int, tag: str) -> str:
    body = [f"spark.custom.{tag}.key{i} value-{i}" if i % 10 else f"# section {i}" for i in range(lines)]
    return "spark.openlineage.namespace old\n" + "\n".join(body) + "\nspark.extraListeners com.example.L\n"


def test_apply_and_the_reads_after_it_parse_the_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = big_conf(5000, "once")
    parsed = 0
    parse = properties._parse

    def counting(part: str) -> list[properties.Entry]:
        nonlocal parsed
        parsed += len(part)
        return parse(part)

    monkeypatch.setattr(properties, "_parse", counting)
    result = properties.apply(text, SETTINGS, "ours")
    # what a run does next: its checks, and masking secrets in the diff of both texts
    assert properties.get(result, "spark.openlineage.namespace") == "dev"
    assert properties.get(result, "spark.extraListeners") == f"com.example.L,{SETTINGS[1].value}"
    assert len(properties.entries(result)) == len(properties.entries(text)) + 6
    assert parsed <= len(text) + 1000  # the file once, and only the few lines we wrote besides


def test_plain_values_are_not_decoded_character_by_character(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    unescape = properties._unescape

    def counting(raw: str) -> str:
        decoded.append(raw)
        return unescape(raw)

    monkeypatch.setattr(properties, "_unescape", counting)
    text = big_conf(1000, "plain") + "spark.escaped C:\\\\dir\\u00e9\n"
    assert properties.get(text, "spark.escaped") == "C:\\dir\u00e9"
    assert 1 <= len(decoded) <= 2  # the key and value of the one line with a backslash, not 900 others


# --- any file shape ---------------------------------------------------------------------------------------

LINES = [
    "spark.master local",
    "  spark.indented   =   value  ",
    "spark.colon:value",
    "# comment \\",
    "! bang comment",
    "",
    "   ",
    "spark.escaped C:\\\\dir\\u00e9\\t",
    "spark.continued a,\\",
    "    b,\\",
    "    c",
    "spark.openlineage.namespace old",
    "spark.openlineage.namespace",
    "spark.extraListeners com.example.L,\\",
    "spark.extraListeners",
    "spark.jars.packages org.x:y:1, io.openlineage:openlineage-spark:0.2.3",
    "spark.openlineage.transport.k1 = other",
    "spark.key\\ with\\ space value",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=10), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_file_shape(lines: list[str], eol: str, final_newline: bool) -> None:
    text = eol.join(lines) + (eol if lines and final_newline else "")
    try:
        result = properties.apply(text, SETTINGS, "ours")
    except EditError as exc:
        assert "backslash" in str(exc) and text.rstrip("\r\n").endswith("\\")
        return
    assert properties.entries(result) == properties._parse(result)  # worked out, not parsed: the same
    before, after = java_read(text), java_read(result)
    for setting in SETTINGS:
        if setting.list_sep is None:
            assert after[setting.key] == setting.value
        else:
            assert setting.value in [item.strip() for item in after[setting.key].split(",")]
    assert {k: v for k, v in after.items() if k not in {s.key for s in SETTINGS}} == {
        k: v for k, v in before.items() if k not in {s.key for s in SETTINGS}
    }
    assert properties.apply(result, SETTINGS, "ours") == result
