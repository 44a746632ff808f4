"""Every `lineage-setup` command and flag the README shows exists: each code block's commands are parsed
and checked against `--help` of the command they name (README examples are what users copy first)."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path

import pytest

from .helpers import cli

README = Path(__file__).resolve().parents[1] / "README.md"
_OPERATORS = {"&&", "||", "|", ";", ">", "<", "2>", ">>", "2>&1"}


def _blocks() -> list[str]:
    return re.findall(r"```(?:sh|bash|console)\n(.*?)```", README.read_text(), flags=re.DOTALL)


def _invocations() -> list[tuple[str, ...]]:
    """Each `lineage-setup ...` in a code block, as its words up to the next shell operator."""
    found = []
    for block in _blocks():
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ", 1)[0].replace("$(", " ").replace(")", " ").replace('"', " ")
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                continue
            for at, word in enumerate(words):
                if word == "lineage-setup":
                    rest = words[at + 1 :]
                    cut = next((i for i, w in enumerate(rest) if w in _OPERATORS or w == "lineage-setup"), len(rest))
                    found.append(tuple(rest[:cut]))
    return found


@cache
def _run_help(command: tuple[str, ...]) -> tuple[int, str]:
    result = cli([*command, "--help"])
    return result.exit_code, result.stdout


def _help(command: tuple[str, ...]) -> str:
    code, text = _run_help(command)
    assert code == 0, (command, text)
    return text


def _command_of(words: tuple[str, ...]) -> tuple[str, ...]:
    """The command path (`dbt`, an alias such as `gx`, `remove`: its integration is an argument), or ()
    for the top level: a first word that is not a flag must be a command whose --help works."""
    if words and not words[0].startswith("-") and _run_help((words[0],))[0] == 0:
        return (words[0],)
    return ()


def _flags(words: tuple[str, ...]) -> list[str]:
    return [word.split("=", 1)[0] for word in words if re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", word)]


def test_the_readme_shows_commands() -> None:
    assert len(_invocations()) >= 10  # the parse found them (a format change would empty this test)


@pytest.mark.parametrize("words", _invocations(), ids=" ".join)
def test_each_command_and_flag_the_readme_shows_exists(words: tuple[str, ...]) -> None:
    command = _command_of(words)
    if words and not words[0].startswith("-"):
        assert command, f"`lineage-setup {words[0]}` is not a command (README: lineage-setup {' '.join(words)})"
    text = _help(command)
    for flag in _flags(words):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), (
            f"`lineage-setup {' '.join(command)}` has no {flag} (README: lineage-setup {' '.join(words)})"
        )
