"""The Dockerfile ENV lines that replace Astro's composite transport: one-variable lines of the image that runs
are taken out (a planned change); every other shape is left to the user, with a note naming the line."""

from __future__ import annotations

import pytest

from lineage_setup.integrations.airflow import edits, notes

T = "AIRFLOW__OPENLINEAGE__TRANSPORT"
FROM = "FROM quay.io/astronomer/astro-runtime:9.2.0\n"


@pytest.mark.parametrize(
    ("text", "taken", "after"),
    [
        (f"{FROM}ENV {T}=x\nENV A=1\n", {1: T}, f"{FROM}ENV A=1\n"),
        (f"{FROM}env {T} some value\n", {1: T}, FROM),  # the old form, any case
        (f'{FROM}ENV A=1\r\nENV {T}=\'{{"type": "console"}}\'', {2: T}, f"{FROM}ENV A=1"),  # no final newline
        (f"{FROM}ENV A=1 {T}=x\n", {}, None),  # sets another variable too
        (f"{FROM}ENV A=1 \\\n    {T}=x\n", {}, None),  # continued
        (f"{FROM}ENV {T}=x \\\n    A=1\n", {}, None),  # continues
        (f"FROM python AS build\nENV {T}=x\n{FROM}", {}, None),  # a build stage: not the image that runs
        (f"{FROM}ENV {T}='unclosed\n", {}, None),  # Docker refuses it: left alone
        (f"{FROM}ENV AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID=c\n", {1: "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID"}, FROM),
        (f"{FROM}ENV {T}X=x\n", {}, None),  # another variable
        (
            f"{FROM.strip()} AS base\nENV {T}=x\nFROM base\nENV A=1\n",
            {1: T},
            f"{FROM.strip()} AS base\nFROM base\nENV A=1\n",
        ),
        (f"{FROM}COPY <<EOF /x\nENV {T}=x\nEOF\n", {}, None),  # a heredoc's line, not an instruction
        (f"# escape=`\n{FROM}ENV {T} `\n  x\n", {}, None),  # another escape character: left to the note
    ],
)
def test_which_lines_are_taken_out(text: str, taken: dict[int, str], after: str | None) -> None:
    assert notes.removable_overrides(text) == taken
    if after is not None:
        assert edits.without_lines(text, taken) == after
        assert notes.removable_overrides(after) == {}  # a second run changes nothing


def test_an_inherited_stage_is_part_of_the_running_image() -> None:
    from lineage_setup.integrations.airflow import envfiles, project

    text = f"FROM python AS build\nENV {T}=build-only\n{FROM.strip()} AS base\nENV {T}=inherited\nFROM base\nENV A=1\n"
    assert project.running_lines(text) == {2, 3, 4, 5}
    assert envfiles.dockerfile(text)[T].value == "inherited"
