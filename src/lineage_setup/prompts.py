"""Interactive questions (questionary, imported only when a question is asked), on stderr."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from lineage_setup.errors import UserAbort
from lineage_setup.validate import Check


def interactive(no_input: bool, env: Mapping[str, str]) -> bool:
    """Ask only with a terminal on stdin, no CI variable, and no --no-input."""
    if no_input:
        return False
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    return sys.stdin.isatty()


class QuestionaryPrompter:
    """Prompts write to stderr, so `eval "$(lineage-setup ... --print)"` keeps a clean stdout."""

    def __init__(self) -> None:
        import questionary
        from prompt_toolkit.output import create_output

        self._q = questionary
        self._output = create_output(stdout=sys.stderr)

    def _ask(self, question: Any) -> Any:
        try:
            answer = question.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise UserAbort("interrupted; nothing was written") from None
        if answer is None:
            raise UserAbort("interrupted; nothing was written")
        return answer

    def text(self, message: str, *, default: str = "", validate: Check) -> str:
        return str(self._ask(self._q.text(message, default=default, validate=validate, output=self._output)))

    def secret(self, message: str, *, validate: Check) -> str:
        return str(self._ask(self._q.password(message, validate=validate, output=self._output)))

    def confirm(self, message: str, *, default: bool = False) -> bool:
        return bool(self._ask(self._q.confirm(message, default=default, output=self._output)))

    def choose(self, message: str, choices: Sequence[tuple[str, str]], *, default: str) -> str:
        options = [self._q.Choice(title, value=value) for value, title in choices]
        chosen = next((option for option in options if option.value == default), None)
        return str(self._ask(self._q.select(message, choices=options, default=chosen, output=self._output)))

    def choose_many(self, message: str, choices: Sequence[tuple[str, str, bool]]) -> list[str]:
        """The values ticked in a checkbox list (each choice: value, title, ticked at first)."""
        options = [self._q.Choice(title, value=value, checked=checked) for value, title, checked in choices]
        return [str(value) for value in self._ask(self._q.checkbox(message, choices=options, output=self._output))]


def make_prompter() -> QuestionaryPrompter:
    return QuestionaryPrompter()
