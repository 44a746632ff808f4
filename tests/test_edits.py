"""Pure edits: before/after tables, no-op tables, idempotence, line endings."""

from __future__ import annotations

import pytest
import yaml

from lineage_setup import textdoc
from lineage_setup.edits import EditError, gitignore, yamlblock
from lineage_setup.errors import UnsafeTargetError

# --- textdoc ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "new", "expected"),
    [
        ("", ["a"], "a\n"),
        ("x\n", ["a", "b"], "x\na\nb\n"),
        ("x", ["a"], "x\na"),  # no final newline stays so
        ("x\r\ny\r\n", ["a"], "x\r\ny\r\na\r\n"),
        ("x\r\ny", ["a"], "x\r\ny\r\na"),
        ("x\n", [], "x\n"),
    ],
)
def test_append_lines(text: str, new: list[str], expected: str) -> None:
    assert textdoc.append_lines(text, new) == expected


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\r\nb\n", "a\x0cb\u2028c\n", "\n\n", "a\rb\n"])
def test_lines_round_trip_and_split_on_lf_only(text: str) -> None:
    parts = textdoc.lines(text)
    assert "".join(parts) == text
    assert all(part.count("\n") <= 1 for part in parts)
    assert len(parts) == text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def test_decode_strips_and_encode_restores_bom() -> None:
    raw = "\ufeffa: 1\n".encode()
    text, bom = textdoc.decode(raw, "f")
    assert (text, bom) == ("a: 1\n", True)
    assert textdoc.encode(text, bom) == raw


def test_decode_refuses_non_utf8() -> None:
    with pytest.raises(UnsafeTargetError, match="not UTF-8"):
        textdoc.decode("café".encode("latin-1"), "f")


# --- .gitignore ------------------------------------------------------------------------

COMMENT = "why"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "# why\nopenlineage.yml\n"),
        ("target/\n", "target/\n# why\nopenlineage.yml\n"),
        ("target/", "target/\n# why\nopenlineage.yml"),
        ("target/\r\n", "target/\r\n# why\r\nopenlineage.yml\r\n"),
        ("# openlineage.yml\n", "# openlineage.yml\n# why\nopenlineage.yml\n"),  # a comment is not an entry
        ("openlineage.yml.bak\n", "openlineage.yml.bak\n# why\nopenlineage.yml\n"),
    ],
)
def test_gitignore_ensure(before: str, after: str) -> None:
    assert gitignore.ensure(before, "openlineage.yml", COMMENT) == after
    assert gitignore.ensure(after, "openlineage.yml", COMMENT) == after


@pytest.mark.parametrize(
    "text", ["openlineage.yml\n", "/openlineage.yml\n", "**/openlineage.yml\n", "a\nopenlineage.yml   \r\nb\n"]
)
def test_gitignore_noop(text: str) -> None:
    assert gitignore.ensure(text, "openlineage.yml", COMMENT) == text


def test_gitignore_force_appends_when_git_says_not_ignored() -> None:
    text = "openlineage.yml\n!openlineage.yml\n"
    assert gitignore.ensure(text, "openlineage.yml", COMMENT, force=True).endswith(
        "!openlineage.yml\n# why\nopenlineage.yml\n"
    )


# --- YAML top-level splice ----------------------------------------------------------------

BLOCK = 'transport:\n  type: http\n  url: "https://h.example"\n'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", BLOCK),
        ("# only a comment\n", "# only a comment\n" + BLOCK),
        ("facets:\n  a: 1\n", "facets:\n  a: 1\n" + BLOCK),
        (
            "# top\ntransport:   # eol\n  type: console\n\n# about facets\nfacets: {a: 1}\n",
            "# top\n" + BLOCK + "\n# about facets\nfacets: {a: 1}\n",
        ),
        ("transport: console  # c\nb: 2\n", BLOCK + "b: 2\n"),
        ("a: 1\ntransport:\n  type: console", "a: 1\n" + BLOCK.rstrip("\n")),
        ("a: 1\r\ntransport:\r\n  type: x\r\nb: 2\r\n", "a: 1\r\n" + BLOCK.replace("\n", "\r\n") + "b: 2\r\n"),
        ("transport:\n- a\n- b\nz: 1\n", BLOCK + "z: 1\n"),
        ("transport: |\n  text\n  more\nz: 1\n", BLOCK + "z: 1\n"),
        ("x: 'it''s ${VAR} and $VAR'\ntransport: {}\n", "x: 'it''s ${VAR} and $VAR'\n" + BLOCK),
    ],
)
def test_set_top_level(before: str, after: str) -> None:
    result = yamlblock.set_top_level(before, "transport", BLOCK)
    assert result == after
    assert yamlblock.set_top_level(result, "transport", BLOCK) == result
    assert yaml.safe_load(result)["transport"] == {"type": "http", "url": "https://h.example"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
        ("- a\n", "not a block mapping"),
        ("{transport: 1}\n", "not a block mapping"),
        ("a: [\n", "not valid YAML"),
        ("a:\n\tb: 1\n", "not valid YAML"),
        ("a: 1\na: 2\n", "duplicate top-level keys"),
        ("x: &t\n  a: 1\ntransport: *t\n", "would change other parts"),
    ],
)
def test_set_top_level_refuses(text: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        yamlblock.set_top_level(text, "transport", BLOCK)
