"""requirements.ensure read back with pip's own requirements-file parser.

pip (installed in the test environment) is the reader: `RequirementsFileParser` with pip's line parser,
on the text written to a file, yields every logical line pip acts on (requirements and option lines).
After `ensure`, pip must see the same lines as before, except that our project is listed exactly once,
as our pin (or as the user's requirement that already satisfies it).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_setup.edits import EditError, requirements

PIN = "openlineage-airflow<=1.14.0"
OURS = "openlineage-airflow"
Line = tuple[str, bool, tuple[tuple[str, Any], ...]]  # requirement ("" for options), editable, options


def pip_reads(text: str) -> list[Line]:
    """Every logical line pip acts on, in order (requirements files named by -r are created empty)."""
    from pip._internal.req.req_file import RequirementsFileParser, get_line_parser

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requirements.txt"
        path.write_bytes(text.encode("utf-8"))
        (Path(tmp) / "base.txt").write_text("")
        parser = RequirementsFileParser(None, get_line_parser(None))  # type: ignore[arg-type]  # a local path needs no session
        return [
            (line.requirement if line.is_requirement else "", line.is_requirement and line.is_editable, _opts(line))
            for line in parser.parse(str(path), constraint=False)
        ]


def _opts(line: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((key, repr(value)) for key, value in vars(line.opts).items()))


def _name(requirement: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return requirements.normalise(Requirement(requirement).name)
    except InvalidRequirement:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        return requirements.normalise(match.group(0)) if match else None


def _split(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """(lines that are not our project, our project's requirements)."""
    ours = [line[0] for line in lines if not line[1] and _name(line[0]) == OURS]
    return [line for line in lines if line[1] or _name(line[0]) != OURS], ours


def assert_pip_sees_our_pin_only_added(before: str, after: str) -> None:
    others_before, ours_before = _split(pip_reads(before))
    others_after, ours_after = _split(pip_reads(after))
    assert others_after == others_before
    assert len(ours_after) == 1, ours_after
    if not ours_before:
        assert ours_after == [PIN]
        assert after.startswith(before)  # only appended: every line of the user's keeps its bytes
    else:
        assert ours_after[0] == ours_before[0] or ours_after[0].startswith(PIN)
    assert requirements.satisfies(ours_after[0].split(";")[0], PIN)
    assert requirements.ensure(after, PIN) == after


# --- continuation and comment lines, as pip's join_lines reads them ---------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a last line ending in a backslash: a blank line ends pip's join, else our pin would be glued to it
        ("pandas \\", "pandas \\\n\nopenlineage-airflow<=1.14.0"),
        ("pandas \\\n", "pandas \\\n\nopenlineage-airflow<=1.14.0\n"),
        ("pandas \\\r\n", "pandas \\\r\n\r\nopenlineage-airflow<=1.14.0\r\n"),
        ("--pre \\\n", "--pre \\\n\nopenlineage-airflow<=1.14.0\n"),
        ("x\n  # comment \\\n\\\n", "x\n  # comment \\\n\\\n\nopenlineage-airflow<=1.14.0\n"),
        # a comment line ending in a backslash does not join the next one: the pin below it is found
        ("# note \\\nopenlineage-airflow==1.20\n", "# note \\\nopenlineage-airflow<=1.14.0\n"),
        ("  # note \\\nOpenLineage_Airflow>=1.20\nx\n", "  # note \\\nopenlineage-airflow<=1.14.0\nx\n"),
        ("# a \\\n# b \\\nopenlineage-airflow==1.10\n", "# a \\\n# b \\\nopenlineage-airflow==1.10\n"),
        # a comment line ends a join and keeps its line
        ("openlineage-airflow \\\n# pinned \\\nnumpy\n", "openlineage-airflow<=1.14.0\n# pinned \\\nnumpy\n"),
        ("openlineage-airflow \\\n\nnumpy\n", "openlineage-airflow<=1.14.0\n\nnumpy\n"),
        # pip strips the backslashes and joins without a space
        ("openlineage-\\\nairflow==1.20\n", "openlineage-airflow<=1.14.0\n"),
        # an inline comment ending in a backslash takes the next line into the comment
        ("pandas  # web \\\nopenlineage-airflow==1.20\n", "pandas  # web \\\nopenlineage-airflow==1.20\n" + PIN + "\n"),
        ("openlineage-airflow>=2  # c \\\nnumpy\n", "openlineage-airflow<=1.14.0  # c numpy\n"),
        # ... and a comment that ends in a backslash moves above our line, where it cannot join
        ("x\nopenlineage-airflow>=2  # c \\ \\", "x\n# c \\\nopenlineage-airflow<=1.14.0"),
        # str.splitlines, as pip splits: a form feed or a lone CR ends a line
        ("pandas\fopenlineage-airflow==1.20\n", "pandas\fopenlineage-airflow<=1.14.0\n"),
        ("pandas\ropenlineage-airflow==1.20", "pandas\ropenlineage-airflow<=1.14.0"),
    ],
)
def test_continuations_follow_pip(before: str, after: str) -> None:
    assert requirements.ensure(before, PIN) == after
    assert_pip_sees_our_pin_only_added(before, after)


def test_the_existing_table_reads_back_with_pip() -> None:
    for before in [
        "",
        "pandas==2.2",
        "# deps\r\npandas\r\n",
        "openlineage-airflow  # lineage\nx\n",
        'openlineage.airflow==1.20; python_version<"3.12"\n',
        "a \\\n  >=1\nopenlineage-airflow \\\n   >=1.2\nb\n",
        "-r base.txt\n-e .\n--index-url https://p.example/simple\n",
    ]:
        assert_pip_sees_our_pin_only_added(before, requirements.ensure(before, PIN))


@pytest.mark.parametrize(
    "text",
    [
        "openlineage-airflow\n# c \\\nopenlineage-airflow==1\n",  # the second is no longer hidden
        "openlineage-\\\nairflow\nopenlineage_airflow==1\n",
    ],
)
def test_duplicates_are_counted_as_pip_reads_them(text: str) -> None:
    assert len(_split(pip_reads(text))[1]) == 2
    with pytest.raises(EditError, match="more than once"):
        requirements.ensure(text, PIN)


def test_find_reads_as_pip() -> None:
    assert requirements.find("# c \\\nOpenLineage-Airflow>=1  # x\n", OURS) == "OpenLineage-Airflow>=1"
    assert requirements.find("pandas  # c \\\nopenlineage-airflow\n", OURS) is None  # inside pandas' comment
    assert requirements.find("openlineage-\\\nairflow==1\n", OURS) == "openlineage-airflow==1"


# --- any file shape -----------------------------------------------------------------------------------

LINES = [
    "pandas==2.2",
    "numpy",
    "requests[socks]>=2  # http",
    "-e .",
    "-r base.txt",
    "--index-url https://p.example/simple",
    "--pre",
    "# comment",
    "# comment \\",
    "  # indented \\",
    "",
    "   ",
    "pandas \\",
    "    >=1.0",
    "flask  # web \\",
    "\\",
    "openlineage-airflow",
    "OpenLineage_Airflow>=1.20",
    "openlineage.airflow==1.10.0  # ok",
    "openlineage-airflow \\",
    "openlineage-\\",
    "airflow==1.20",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(["\n", "\r\n", "\n", "\r", "\f"])), max_size=9),
    st.booleans(),
)
def test_any_file_shape_reads_back_with_pip(lines: list[tuple[str, str]], final_newline: bool) -> None:
    text = "".join(line + eol for line, eol in lines)
    if lines and not final_newline:
        text = text[: -len(lines[-1][1])]
    ours_before = _split(pip_reads(text))[1]
    if len(ours_before) > 1:
        with pytest.raises(EditError, match="more than once"):
            requirements.ensure(text, PIN)
        return
    after = requirements.ensure(text, PIN)
    assert_pip_sees_our_pin_only_added(text, after)
