"""The one loader for golden cases: tests/golden/<integration>/<case>/.

A case folder holds:

- `before/`  the project as the user has it.
- `after/`   what `lineage-setup <integration> --yes` must leave: the whole tree, byte for byte, the same
             files and folders. No `after/`: the command must refuse the project (exit 3, nothing written).
- `args`     optional: extra arguments, ONE PER LINE (a line is passed as is, spaces included); blank lines
             and lines starting with `#` are ignored. `{root}` is replaced by the project folder (the copy
             of `before/` the command runs in), e.g. `--spark-conf` then `{root}/spark-defaults.conf`.
- `expect`   optional (required without `after/`): lines that must each appear on the first run's stderr.
- `modes`    optional: `<octal mode> <path>` per line (`0600 .env`), the mode each file must have after the
             run; paths are as in the project (`.env`, not `dot-env`). Without it the runner still checks
             that files that existed keep their mode and that a created file is 0600 if it holds the key,
             else the default mode (0666 & ~umask).

Files and folders named `dot-<name>` are `.<name>` in the project (stored so they do not apply to this
repository). The integration is the folder's name; the command is in COMMANDS, else the folder's name.
The common connection flags (helpers.CONN) come before the case's args; the mode flag (--yes, --check,
--dry-run) after them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from typer.testing import Result

from .helpers import CONN, cli, copy_golden

GOLDEN = Path(__file__).parent / "golden"
# folder -> command, where they differ; gx1 (GX 1.x projects) is run by great-expectations too
COMMANDS = {"great_expectations": "great-expectations", "gx1": "great-expectations"}
CASE_FILES = {"before", "after", "args", "expect", "modes"}  # nothing else belongs in a case folder
ROOT = "{root}"


@dataclass(frozen=True)
class Case:
    integration: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.integration}/{self.name}"

    @property
    def folder(self) -> Path:
        return GOLDEN / self.integration / self.name

    @property
    def command(self) -> str:
        return COMMANDS.get(self.integration, self.integration)

    @property
    def before(self) -> Path:
        return self.folder / "before"

    @property
    def after(self) -> Path | None:
        after = self.folder / "after"
        return after if after.is_dir() else None

    @property
    def refused(self) -> bool:
        return self.after is None

    @cached_property
    def changes(self) -> bool:
        """Whether the command changes the project (compared as stored: dot- names on both sides)."""
        return self.after is not None and snapshot(self.before) != snapshot(self.after)

    def writes(self, text: str) -> bool:
        """Whether a file the command changes or creates holds text (then a diff shows it masked)."""
        if self.after is None:
            return False
        before = snapshot(self.before)
        changed = (data for path, data in snapshot(self.after).items() if data is not None and before.get(path) != data)
        return any(text.encode() in data for data in changed)

    def args(self, root: Path | None = None) -> list[str]:
        lines = _lines(self.folder / "args")
        return [line.replace(ROOT, str(root)) for line in lines] if root is not None else lines

    def expect(self) -> list[str]:
        return _lines(self.folder / "expect")

    def modes(self) -> dict[str, int]:
        pairs = (line.split(maxsplit=1) for line in _lines(self.folder / "modes"))
        return {path: int(mode, 8) for mode, path in pairs}

    def copy_before(self, dst: Path) -> Path:
        copy_golden(self.before, dst)
        return dst

    def copy_after(self, dst: Path) -> Path:
        assert self.after is not None, f"{self.id} is refused: it has no after/"
        copy_golden(self.after, dst)
        return dst

    def run(self, root: Path, *mode: str) -> Result:
        """`lineage-setup <command> --dir <root> <CONN> <args> <mode>`, in-process."""
        return cli([self.command, "--dir", str(root), *CONN, *self.args(root), *mode])


def _lines(path: Path) -> list[str]:
    """A case file's lines, without blank lines and `#` comments; none if the file is absent."""
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def integrations() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def cases(*only: str) -> list[Case]:
    """Every case of the integrations named (all of them when none is)."""
    names = only or integrations()
    return [
        Case(integration, p.name)
        for integration in names
        for p in sorted((GOLDEN / integration).iterdir())
        if p.is_dir() and not p.name.startswith((".", "_"))
    ]


def ids(case: Case) -> str:
    return case.id


# --- trees ---------------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root, by relative path."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
        if ".git" not in p.relative_to(root).parts
    }


def modes(root: Path) -> dict[str, int]:
    """The permission bits of every file under root."""
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in sorted(root.rglob("*")) if p.is_file()}


def default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def expected_modes(case: Case, before: dict[str, int], result: Path, key: str) -> dict[str, int]:
    """What each file's mode must be after a run: as it was, 0600 if created with the key, else the default."""
    now = modes(result)
    made = {path: 0o600 if key.encode() in (result / path).read_bytes() else default_mode() for path in now}
    return {**made, **{path: mode for path, mode in before.items() if path in now}, **case.modes()}
