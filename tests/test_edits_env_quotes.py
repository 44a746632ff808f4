""".env: quotes that never close and lines that bash joins, read back by python-dotenv and bash.

python-dotenv skips a line whose quote never closes and reads on; docker compose refuses the file
("unterminated quoted value"); bash `source` reads on to the end of the file inside the quote, and
joins a line ending in a backslash to the next one. So `upsert` refuses, naming the line to fix,
when such a line comes before a line of ours (bound already, or to be appended).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_setup import textdoc
from lineage_setup.edits import EditError, env

OURS = {"OPENLINEAGE_URL": "https://h.example", "OPENLINEAGE_NAMESPACE": "dev"}
BASH = shutil.which("bash") or "/bin/bash"


def bash_reads(text: str) -> dict[str, str | None]:
    """What `set -a; . ./.env` leaves in our variables (None: unset), with no commands to run."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".env").write_bytes(text.encode("utf-8"))
        script = 'set -a; . ./.env >/dev/null 2>&1; for k in "$@"; do printf "%s=%s\\0" "${!k+set}" "${!k}"; done'
        out = subprocess.run(
            [BASH, "--noprofile", "--norc", "-c", script, "bash", *OURS],
            cwd=tmp,
            env={"PATH": "/nonexistent"},
            capture_output=True,
            check=False,
        ).stdout.decode()
    values = [item.split("=", 1) for item in out.split("\0")[:-1]]
    return {key: value if flag == "set" else None for key, (flag, value) in zip(OURS, values, strict=True)}


def dotenv_reads(text: str) -> tuple[dict[str, str | None], bool]:
    """python-dotenv's values for our keys, and whether it could not parse some line."""
    import io

    from dotenv.parser import parse_stream

    bindings = list(parse_stream(io.StringIO(text)))
    values = {b.key: b.value for b in bindings if b.key is not None and not b.error}
    return {key: values.get(key) for key in OURS}, any(b.error for b in bindings)


# --- one member of each kind -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('A="unclosed\nB=1\n', 'line 1 opens a " quote that is never closed .*lines added at the end'),
        ("A=1\nB=2\nC='unclosed\nD=4\n", "line 3 opens a ' quote .*lines added at the end"),
        (  # one of ours after it: bash reads it as part of C's value
            'OPENLINEAGE_NAMESPACE=dev\nC="unclosed\nOPENLINEAGE_URL=https://h.example\n',
            "line 2 opens .*OPENLINEAGE_URL on line 3",
        ),
        ('OPENLINEAGE_URL="http://old\nOPENLINEAGE_NAMESPACE=dev\n', "line 1 opens .*OPENLINEAGE_URL on line 1"),
        ("TITLE=Bob's app\nX=1\n", "line 1 opens a ' quote .*bash `source` reads the rest"),  # bash only
        ("A='abc\\'\nX=1\n", "line 1 opens a ' quote .*python-dotenv skips that line"),  # escaped for python-dotenv
        ("A=x \\\n", "line 1 ends with a backslash .*lines added at the end"),
        ("A=x \\", "line 1 ends with a backslash"),  # the line ending we add would join ours to it
        ("A=1\nB=x\\\nOPENLINEAGE_URL=http://old\n", "line 2 ends with a backslash .*OPENLINEAGE_URL on line 3"),
        # bash's `#` after a backslash-newline is not a comment: the quote in it is open for bash
        ("H=x\\\n# it's\n", "line 2 opens a ' quote that is never closed .*bash"),
        # quotes closed, but on different lines for different readers: ours on a line between
        (
            "note'\nOPENLINEAGE_URL=http://old\n# it's\n",
            "line 1 opens a ' quote that bash .* line 3.*OPENLINEAGE_URL on line 2",
        ),
        (
            "OPENLINEAGE_URL=http://old\nI='abc\\'\nOPENLINEAGE_URL=http://old\nB='x y'\n",
            "line 2 opens a quote that python-dotenv closes on line 4 .*OPENLINEAGE_URL on line 3",
        ),
    ],
)
def test_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        env.upsert(text, OURS, header="lineage")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # ours all before the open quote, nothing to append: changed in place
            "OPENLINEAGE_URL=http://old\nOPENLINEAGE_NAMESPACE=dev\nNOTE='unclosed\n",
            "OPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\nNOTE='unclosed\n",
        ),
        (  # closed over several lines, with quotes and backslashes inside: nothing open
            "NOTE=\"a \\\"b\\\" \\\\\nit's\"\nX=$'c\\'d'  # it's\n",
            "NOTE=\"a \\\"b\\\" \\\\\nit's\"\nX=$'c\\'d'  # it's\n"
            "# lineage\nOPENLINEAGE_URL=https://h.example\nOPENLINEAGE_NAMESPACE=dev\n",
        ),
        (  # a comment's backslash joins nothing; with CRLF, a backslash escapes the CR, not the line end
            "# it's a comment \\\r\nA=1\\\r\n",
            "# it's a comment \\\r\nA=1\\\r\n# lineage\r\nOPENLINEAGE_URL=https://h.example\r\nOPENLINEAGE_NAMESPACE=dev\r\n",
        ),
    ],
)
def test_not_refused_when_nothing_of_ours_is_after_it(before: str, after: str) -> None:
    assert env.upsert(before, OURS, header="lineage") == after
    assert env.upsert(after, OURS, header="lineage") == after


@pytest.mark.parametrize(
    ("before", "after"),
    [  # the inline comment moved above the last line (with no line ending) gets one: else it comments ours out
        ("  export OPENLINEAGE_NAMESPACE=prod  # env", "  # env\n  export OPENLINEAGE_NAMESPACE=dev"),
        ("A=1\r\nOPENLINEAGE_NAMESPACE='prod' # env", "A=1\r\n# env\r\nOPENLINEAGE_NAMESPACE=dev"),
    ],
)
def test_a_comment_moved_above_the_last_line_keeps_its_own_line(before: str, after: str) -> None:
    out = env.upsert(before, {"OPENLINEAGE_NAMESPACE": "dev"})
    assert out == after
    assert bash_reads(out)["OPENLINEAGE_NAMESPACE"] == "dev"


# --- scale: one scan, one parse --------------------------------------------------------------------------


def test_an_unclosed_quote_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Characters passed over looking for closing quotes stay proportional to the text (it was quadratic)."""
    text = 'NOTE="never closed\n' + "".join(f"KEY_{i}=value-{i}\n" for i in range(2000))
    scanned = 0
    closing = env._closing

    def counting(*args: Any) -> int:
        nonlocal scanned
        end: int = closing(*args)
        if len(args) == 2:  # the former (body, quote): the whole body scanned
            scanned += len(args[0])
        else:  # (text, quote, start)
            scanned += (end if end >= 0 else len(args[0])) - args[2]
        return end

    monkeypatch.setattr(env, "_closing", counting)
    bindings = env.parse(text)
    assert len(bindings) == 2001 and bindings[1].key == "KEY_0"
    assert scanned <= 3 * len(text)


def test_upsert_parses_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    split = textdoc.lines

    def counting(text: str) -> list[str]:
        nonlocal calls
        calls += 1
        return split(text)

    monkeypatch.setattr(textdoc, "lines", counting)
    text = "OPENLINEAGE_URL=http://old  # c\nX=1\nOPENLINEAGE_NAMESPACE='prod'\nY=2\n"
    assert env.upsert(text, OURS) == "# c\nOPENLINEAGE_URL=https://h.example\nX=1\nOPENLINEAGE_NAMESPACE=dev\nY=2\n"
    assert calls == 1


def test_ten_thousand_lines_with_an_unclosed_quote_on_line_one() -> None:
    text = 'NOTE="never closed\n' + "".join(f"KEY_{i}=value-{i}\n" for i in range(10_000))
    with pytest.raises(EditError, match="line 1 opens"):
        env.upsert(text, OURS, header="lineage")


# --- any file shape, read back by bash and python-dotenv --------------------------------------------------

LINES = [
    "A=1",
    "B='x y'",
    'C="q"',
    "export D=4",
    "# comment",
    "# it's",
    "",
    "E=it's",
    'F="open',
    "G='open",
    "H=x\\",
    "I='abc\\'",
    "J=$'a\\'b'",
    'K="a\\"b"',
    "L=x # note's",
    "M='multi",
    "line'",
    "OPENLINEAGE_URL=http://old",
    "OPENLINEAGE_URL='https://h.example'",
    "  export OPENLINEAGE_NAMESPACE=prod  # env",
]


def unchecked_edit(text: str) -> str:
    """What upsert would write if it did not refuse: ours set in place where bound, else appended."""
    lines = textdoc.lines(text)
    bound = {b.key: b for b in env.parse(text) if b.key in OURS}
    for binding in sorted(bound.values(), key=lambda b: -b.first):
        lines[binding.first : binding.last + 1] = [f"{binding.key}={OURS[binding.key]}\n"]
    return textdoc.append_lines("".join(lines), [f"{k}={v}" for k, v in OURS.items() if k not in bound])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=8), st.booleans())
def test_every_reader_sees_our_values_or_upsert_refuses(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if lines and final_newline else "")
    try:
        after = env.upsert(text, OURS, header="lineage")
    except EditError as exc:
        if "readers disagree on which wins" in str(exc):
            return  # one of ours bound twice
        edited = unchecked_edit(text)
        compose_refuses = dotenv_reads(text)[1]  # python-dotenv cannot parse a line: nor can docker compose
        misread = bash_reads(edited) != OURS or dotenv_reads(edited)[0] != OURS
        # the file as it is already means two things for one of our keys (a binding to bash, inside a quoted
        # value to python-dotenv): editing either reading would be a guess
        ambiguous = bash_reads(text) != dotenv_reads(text)[0] and "readers disagree on" in str(exc)
        assert compose_refuses or misread or ambiguous, str(exc)
        return
    assert bash_reads(after) == OURS
    assert dotenv_reads(after)[0] == OURS
    assert env.upsert(after, OURS, header="lineage") == after
