"""Every key-holding field is masked in a diff, whatever its format spells it: values are found by parsing
the old and the new text, then masked wherever they appear (not by line patterns)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import fs, secretvalues, ui
from lineage_setup.plan import FileChange

KEY_ALPHABET = string.ascii_letters + string.digits + "_-.:+/=,"


def _old_forms(key: str) -> dict[str, str]:
    """One old file per way a format can spell a key (the key is not registered: only parsing finds it)."""
    half = len(key) // 2
    return {
        "block-folded.yml": f"transport:\n  auth:\n    apiKey: >-\n      {key}\n",
        "block-literal.yml": f"transport:\n  auth:\n    apiKey: |\n      {key}\n",
        "next-line.yml": f"transport:\n  auth:\n    apiKey:\n      {key}\n",
        "tagged.yml": f"transport:\n  auth:\n    apiKey: !!str {key}\n",
        "flow-map.yml": f"transport: {{type: http, auth: {{type: api_key, apiKey: '{key}'}}}}\n",
        "quoted-commas.yml": f'openlineage_apiKey: "{key},{key[::-1]}"\n',
        "header.yml": f'transport:\n  custom_headers:\n    Authorization: "Bearer {key}"\n',
        "token.yml": f"transport:\n  auth:\n    type: jwt\n    token: {key}\n",
        "continued.conf": f"spark.openlineage.transport.auth.apiKey {key[:half]}\\\n    {key[half:]}\n",
        "escaped-name.conf": f"spark.openlineage.transport.auth.api\\u004Bey {key}\n",
        "transport-json.env": (
            "AIRFLOW__OPENLINEAGE__TRANSPORT="
            f'\'{{"type":"http","url":"https://h","auth":{{"type":"api_key","apiKey":"{key}"}}}}\'\n'
        ),
        "sub-transport.env": f"OPENLINEAGE__TRANSPORT__TRANSPORTS__OBS__AUTH__API_KEY={key}\n",
        "multi-line.env": f'OPENLINEAGE_API_KEY="{key[:half]}\n{key[half:]}"\n',
        "cluster.json": f'{{"spark_conf": {{"spark.openlineage.transport.auth.apiKey": "{key}"}}}}\n',
    }


def _shown(tmp_path: Path, name: str, old: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / name
    path.write_text(old)
    change = FileChange(fs.snapshot(path), b"replaced: true\n", 0o600, secret=True)
    ui.show_changes(_plan(change), tmp_path)
    return capsys.readouterr().out


def _plan(change: FileChange):  # type: ignore[no-untyped-def]
    from lineage_setup.plan import Plan

    return Plan((change,))


def _pieces(key: str, size: int = 6) -> list[str]:
    return [key[i : i + size] for i in range(len(key) - size + 1)]


@pytest.mark.parametrize("name", sorted(_old_forms("k").keys()))
def test_old_key_masked_in_every_spelling(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    key = "olkOLD0123456789abcdefXYZ"
    out = _shown(tmp_path, name, _old_forms(key)[name], capsys)
    assert "-" in out and "****" in out, out  # the diff is there, masked
    leaked = [piece for piece in _pieces(key) if piece in out]
    assert not leaked, (name, leaked, out)


@settings(max_examples=60, deadline=None)
@given(
    key=st.text(KEY_ALPHABET, min_size=12, max_size=40).filter(lambda k: k[0].isalnum() and k[-1].isalnum()),
    name=st.sampled_from(sorted(_old_forms("k").keys())),
)
def test_any_key_in_any_spelling_is_masked(tmp_path_factory: pytest.TempPathFactory, key: str, name: str) -> None:
    text = _old_forms(key)[name]
    found = secretvalues.in_text(name, text)
    assert found, (name, text)
    shown = "\n".join(secretvalues.mask(line, found) for line in text.split("\n"))
    assert key not in shown.replace("\n", "").replace("\\", "").replace(" ", ""), (name, shown)


def test_references_stay_readable() -> None:
    text = "openlineage_apiKey: ${OPENLINEAGE_API_KEY}\nspark: '{{secrets/scope/key}}'\nname: openlineage\n"
    assert secretvalues.in_text("c.yml", text) == set()


def test_unparseable_file_falls_back_to_the_line_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _shown(tmp_path, "broken.yml", "apiKey: olkOLD0123456789\n  - : [\n", capsys)
    assert "olkOLD0123456789" not in out


def test_a_one_letter_key_is_refused_without_masking_that_letter_everywhere() -> None:
    from .helpers import cli

    result = cli(["spark", "--print", "--url", "https://x.example.com", "--api-key", "k", "--namespace", "n"])
    assert result.exit_code == 2
    assert "--api-key: the API key is 1 character long (expected 8 to 4096)" in result.stderr


def test_a_password_in_a_projects_url_is_masked_everywhere(tmp_path: Path) -> None:
    """A URL with credentials in a project's own config (`https://bob:pw@host`) is shown with the password
    masked: in the wizard's table and titles, in status, in diffs."""
    from .helpers import CONN, cli

    project = tmp_path / "p"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: p\nprofile: p\n")
    (project / "openlineage.yml").write_text(
        "transport:\n  type: http\n  url: https://bob:s3cr3t-pw@marquez.example.com\n"
    )
    for args in (
        ["init", "--dir", str(tmp_path), *CONN, "--namespace", "n", "--replace", "--dry-run"],
        ["status", "--dir", str(tmp_path)],
        ["status", "--dir", str(tmp_path), "--json"],
        ["dbt", "--dir", str(project), *CONN, "--replace", "--dry-run"],
    ):
        result = cli(args)
        assert "s3cr3t-pw" not in result.stdout + result.stderr, args
        assert "bob:****@marquez.example.com" in result.stdout + result.stderr, args


SECRET_KEYS = ["apiKey", "openlineage_apiKey", "token", "name", "url", "auth", "headers", "Authorization", "k"]
VALUES = [
    "olkABCDEFGH123", "'olk quoted 123'", '"Bearer olkBEARER99"', "${OPENLINEAGE_API_KEY}", "abc", "",
    "'{\"apiKey\": \"olkINJSON7777\"}'", "{}", "[]", "1.0", "x-y_z",
]  # fmt: skip
YAML_TREES = st.recursive(
    st.sampled_from(VALUES),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(st.sampled_from(SECRET_KEYS), inner, min_size=1, max_size=3)
    ),
    max_leaves=10,
)


def _block(tree: object, col: int = 0) -> list[str]:
    """Plain block YAML lines for a tree of dicts, lists and scalars as written."""
    lines: list[str] = []
    pad = " " * col
    items = tree.items() if isinstance(tree, dict) else (("-", v) for v in tree)  # type: ignore[attr-defined]
    for key, value in items:
        head = pad + ("-" if key == "-" else f"{key}:")
        if isinstance(value, (dict, list)) and value:
            lines += [head, *_block(value, col + 2)]
        elif isinstance(value, (dict, list)):
            lines.append(f"{head} {'{}' if isinstance(value, dict) else '[]'}")
        else:
            lines.append(f"{head} {value}".rstrip())
    return lines


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(SECRET_KEYS), YAML_TREES, min_size=1, max_size=4))
def test_secrets_read_by_lines_are_those_the_parser_finds(tree: dict[str, object]) -> None:
    """A plain block file is read by its lines (no YAML library); it must give what PyYAML's nodes give."""
    from lineage_setup.edits import yaml_lines

    text = "\n".join(_block(tree)) + "\n"
    extra = frozenset({"url"})
    if yaml_lines.read(text) is None:
        return
    by_lines = set(secretvalues._yaml(text, extra))
    assert by_lines == set(secretvalues._yaml_composed(text, extra)), text


def test_the_secrets_of_a_plain_file_are_read_by_its_lines() -> None:
    """The property above compares something: such a file takes the lines' way, and finds these."""
    text = "auth:\n  apiKey: 'olk quoted 123'\n  headers:\n    - '{\"token\": \"olkINJSON7777\"}'\nname: abc\n"
    from lineage_setup.edits import yaml_lines

    assert yaml_lines.read(text) is not None
    assert secretvalues.in_text("c.yml", text) == {"olk quoted 123", "olkINJSON7777"}


def test_a_line_break_the_readers_see_in_a_comment_hides_no_secret() -> None:
    """NEL, U+2028 and U+2029 end a line for YAML readers: what follows one inside a comment is an entry,
    so the lines' way must decline the file and the parser find the secret (found in review)."""
    for brk in ("\x85", "\u2028", "\u2029"):
        assert secretvalues.in_text("a.yml", f"name: c # note{brk}password: hunter2secret\n") == {"hunter2secret"}
