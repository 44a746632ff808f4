"""Recording planned edits on the Workspace, for both GE generations: each file's notes and new text,
and one refusal (exit 3) naming every file that cannot be edited, with the change to make by hand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from lineage_setup.integrations.great_expectations.render import refusal

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace


class Proposal(Protocol):
    @property
    def rel(self) -> str: ...
    @property
    def text(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    @property
    def infos(self) -> tuple[str, ...]: ...
    @property
    def refused(self) -> str: ...


def propose(ws: Workspace, edited: Sequence[Proposal]) -> None:
    """Each file's notes and new text; then, if any file cannot be edited, all of them are refused."""
    for each in edited:
        say(ws, each.notes, each.infos)
        if each.text is not None:
            ws.write(each.rel, each.text, reason=each.reason)
    refused = [(ws.path(each.rel), each.refused) for each in edited if each.refused]
    if refused:
        raise refusal(refused)


def say(ws: Workspace, notes: Iterable[str], infos: Iterable[str]) -> None:
    for note in notes:
        ws.note(note)
    for info in infos:
        ws.info(info)
