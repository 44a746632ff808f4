"""Finding the projects under a folder: one walk over file names, then each candidate folder asked.

In a git repository the walk is `git ls-files --cached --others --exclude-standard` (fast, and it skips
what the user ignores); elsewhere the tree itself, skipping .git, virtual environments, node_modules,
target, dbt_packages, logs, caches and hidden folders. Linked folders are not followed. Only file names
are looked at; a package's detect() then reads the few bytes it needs to classify a candidate.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lineage_setup.integrations import REGISTRY, Entry

SKIPPED_FOLDERS = frozenset(
    {"node_modules", "target", "dbt_packages", "logs", "__pycache__", "venv", "env", "site-packages", "dist", "build"}
)
KEPT_HIDDEN = frozenset({".astro"})  # a hidden folder that holds a marker
DEFAULT_DEPTH = 4


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    folder: Path
    marker: str  # the marker that matched, as a path under folder


@dataclass
class Scan:
    root: Path
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # folders not read, and why
    files: int = 0  # file names looked at
    walked: str = "the tree"  # or "git ls-files"


def scan(root: Path, max_depth: int = DEFAULT_DEPTH, env: Mapping[str, str] | None = None) -> Scan:
    """Every folder under root (at most max_depth levels down) holding a marker of some integration."""
    result = Scan(root)
    names = _marker_index()
    listed = _git_files(root, result) if _in_git_work_tree(root) else None
    if listed is not None:
        result.walked = "git ls-files"
    paths: Iterable[str] = listed if listed is not None else _walked_files(root, max_depth, result)
    seen: set[tuple[str, Path]] = set()
    for rel in paths:
        result.files += 1
        matched: set[str] = set()  # one marker per integration per file: its longest
        for entry, marker in names.get(rel.rsplit("/", 1)[-1], ()):
            if entry.name not in matched and _add(result, seen, entry, rel, marker, max_depth):
                matched.add(entry.name)
    for conf in _spark_conf_dirs(env or {}):
        _add(result, seen, REGISTRY["spark"], (conf / "spark-defaults.conf").as_posix(), "spark-defaults.conf", 99)
    return result


def _marker_index() -> dict[str, list[tuple[Entry, str]]]:
    """File name -> (entry, marker), longest markers first so a project is found by its most telling file."""
    index: dict[str, list[tuple[Entry, str]]] = {}
    for entry in REGISTRY.values():
        for marker in entry.markers:
            index.setdefault(marker.rsplit("/", 1)[-1], []).append((entry, marker))
    for found in index.values():
        found.sort(key=lambda item: -len(item[1]))
    return index


def _add(result: Scan, seen: set[tuple[str, Path]], entry: Entry, rel: str, marker: str, max_depth: int) -> bool:
    """Record the folder `rel` marks (False: the marker does not match this path)."""
    if rel != marker and not rel.endswith("/" + marker):
        return False
    folder_rel = rel[: len(rel) - len(marker)].rstrip("/")
    if len(PurePosixPath(folder_rel).parts) > max_depth:
        return True
    folder = Path(folder_rel) if os.path.isabs(rel) else result.root / folder_rel
    if (entry.name, folder) not in seen:  # a Dockerfile and .astro/ mark the same Astro project
        seen.add((entry.name, folder))
        result.candidates.append(Candidate(entry, folder, marker))
    return True


# --- the walk -------------------------------------------------------------------------------------


def _in_git_work_tree(root: Path) -> bool:
    from lineage_setup import git

    return git.ask(root, "rev-parse", "--is-inside-work-tree")[1].strip() == "true"


def _git_files(root: Path, result: Scan) -> list[str] | None:
    from lineage_setup import git

    code, out, err = git.ask(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if code != 0:
        return None
    for line in err.splitlines():  # "warning: could not open directory 'x/': Permission denied"
        parts = line.split("'")
        if "could not open directory" in line and len(parts) > 2:
            result.skipped.append((root / parts[1].rstrip("/"), parts[2].strip(": ") or "cannot be read"))
    return sorted({path for path in out.split("\0") if path and not _skipped(path)})


def _skipped(rel: str) -> bool:
    return any(_skip_folder(part) for part in rel.split("/")[:-1])


def _skip_folder(name: str) -> bool:
    return name in SKIPPED_FOLDERS or (name.startswith(".") and name not in KEPT_HIDDEN)


def _walked_files(root: Path, max_depth: int, result: Scan) -> Iterator[str]:
    def note(error: OSError) -> None:
        result.skipped.append((Path(error.filename or root), error.strerror or "cannot be read"))

    for folder, dirs, files in os.walk(root, onerror=note):  # links to folders are not followed
        rel = os.path.relpath(folder, root)
        depth = 0 if rel == "." else rel.count(os.sep) + 1
        if "pyvenv.cfg" in files:  # a virtual environment
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not _skip_folder(d) and depth <= max_depth)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        yield from (prefix + name for name in sorted(files))


def _spark_conf_dirs(env: Mapping[str, str]) -> Sequence[Path]:
    """Spark reads its config from $SPARK_CONF_DIR, else $SPARK_HOME/conf."""
    for var, sub in (("SPARK_CONF_DIR", ""), ("SPARK_HOME", "conf")):
        if env.get(var):
            folder = Path(env[var]).expanduser() / sub
            return [folder.resolve()] if (folder / "spark-defaults.conf").is_file() else []
    return []
