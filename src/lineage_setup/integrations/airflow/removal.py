"""`lineage-setup remove airflow`: take out what `lineage-setup airflow` put in, recognised from the files
themselves, so it works on a fresh clone.

- .env: the variables under our header comment (`# OpenLineage (lineage-setup airflow)`) and the header; a
  composite transport --add made out of the project's own `[openlineage] transport` goes back to the
  transport it was. A variable of ours above the header was the user's line, updated in place: left, and said.
- requirements.txt: the pins exactly as we write them (`<requirement>  # <why>`); a line we replaced keeps the
  user's comment and is theirs now: left, and said.
- .gitignore and .dockerignore: the two lines we add (`gitignore.remove`).
- A file left empty that way was ours: deleted.
- The Astro Deployment: the variables we told the user to create, as the steps that take them out. The Astro CLI
  has no command that deletes a Deployment variable (astronomer/astro-cli `cmd/cloud/deployment.go`:
  `astro deployment variable` has list, create and update, and update refuses an empty value), so that is done
  in the Astro UI; `astro deployment variable list` shows which are there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lineage_setup import quoting, textdoc
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL
from lineage_setup.integrations.airflow import adding, edits, forms, state, versions
from lineage_setup.integrations.airflow.managed import DOCKERIGNORE, KEEP_OUT
from lineage_setup.integrations.airflow.project import ENV_FILE, REQUIREMENTS
from lineage_setup.integrations.airflow.versions import AF_NAMESPACE, BACKEND, TRANSPORT

if TYPE_CHECKING:
    from lineage_setup.edits.env import Binding
    from lineage_setup.integrations.airflow import Options
    from lineage_setup.integrations.airflow.project import Target
    from lineage_setup.workspace import Workspace

LEGACY_KEYS = (BACKEND, ENV_URL, ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE)
OURS = frozenset({*LEGACY_KEYS, TRANSPORT, AF_NAMESPACE, adding.COMPOSITE_TYPE})
HEADER_LINE = f"# {edits.HEADER}"


def ours_key(key: str) -> bool:
    return key in OURS or key.startswith(forms.SUBTRANSPORT)


@dataclass
class _Taken:
    """What came out of .env and requirements.txt, for the words and the Deployment steps."""

    keys: list[str] = field(default_factory=list)
    above: list[str] = field(default_factory=list)  # keys of ours above the header: the user's lines, kept
    pins: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what is left, and why


def plan_removal(ws: Workspace, options: Options) -> None:
    taken = _Taken()
    _env(ws, taken)
    _requirements(ws, taken)
    for rel, comment in ((".gitignore", KEEP_OUT), (DOCKERIGNORE, edits.DOCKERIGNORE_WHY)):
        _ignore_lines(ws, rel, comment)
    for kept in taken.kept:
        ws.info(kept)
    found = state.find(ws)
    if found is not None and found.astro and (taken.keys or taken.pins):
        _astro_steps(ws, options, taken, found.target)
    elif taken.keys:
        ws.step(
            "restart the scheduler, workers, triggerer and webserver/API server from a shell (or container) that "
            f"no longer has these variables: {', '.join(sorted(set(taken.keys)))}"
        )


def _env(ws: Workspace, taken: _Taken) -> None:
    from lineage_setup.edits import env

    text = ws.read(ENV_FILE)
    if text is None:
        return
    lines = textdoc.lines(text)
    header = next((i for i, line in enumerate(lines) if textdoc.strip_eol(line) == HEADER_LINE), None)
    bindings = env.parse(text)
    drop: set[int] = set()
    rewrite: dict[int, str] = {}
    for binding in bindings:
        if not ours_key(binding.key):
            continue
        below = header is not None and binding.first > header
        unwrapped = adding.unwrap(binding.value) if binding.key == TRANSPORT else None
        if unwrapped is not None and not below:
            rewrite[binding.first] = _rebound(lines[binding.first], binding, unwrapped.first)
            taken.keys.append(f"{TRANSPORT} ({unwrapped.ours_name} only)")
        elif below:
            drop.update(range(binding.first, binding.last + 1))
            taken.keys.append(binding.key)
        else:
            taken.above.append(binding.key)
            taken.kept.append(
                f"{ENV_FILE} line {binding.first + 1} sets {binding.key} above lineage-setup's header: it was there "
                f"before (lineage-setup may have set its value); left as it is"
            )
    _composite_type(bindings, drop, taken)
    if header is not None and not [b for b in bindings if b.first > header and b.first not in drop]:
        drop.add(header)
    _propose(ws, ENV_FILE, text, drop, rewrite, "our OpenLineage variables")


def _composite_type(bindings: list[Binding], drop: set[int], taken: _Taken) -> None:
    """OPENLINEAGE__TRANSPORT__TYPE=composite stays while sub-transports other than ours are left."""
    others = [b for b in bindings if b.key.startswith(forms.SUBTRANSPORT) and b.first not in drop]
    for binding in bindings:
        if binding.key == adding.COMPOSITE_TYPE and binding.first in drop and others:
            drop.difference_update(range(binding.first, binding.last + 1))
            taken.keys.remove(binding.key)
            taken.kept.append(f"{ENV_FILE}: {binding.key} stays: other sub-transports than ours are in the file")


def _rebound(line: str, binding: Binding, value: str) -> str:
    body = textdoc.strip_eol(line)
    return binding.lead + quoting.dotenv_line(binding.key, value) + line[len(body) :]


def _propose(ws: Workspace, rel: str, text: str, drop: set[int], rewrite: dict[int, str], reason: str) -> None:
    if not drop and not rewrite:
        return
    lines = textdoc.lines(text)
    kept = [rewrite.get(index, line) for index, line in enumerate(lines) if index not in drop]
    if kept and len(lines) - 1 in drop and not lines[-1].endswith("\n"):
        kept[-1] = textdoc.strip_eol(kept[-1])  # the file had no final newline: neither has the result
    result = "".join(kept)
    if result.strip() == "":
        ws.delete(rel, reason=f"only {reason} were in it")
    else:
        ws.write(rel, result, reason=reason)


def _requirements(ws: Workspace, taken: _Taken) -> None:
    text = ws.read(REQUIREMENTS)
    if text is None:
        return
    pins = {pin.spec: f"{pin.spec}  # {pin.why}" for pin in versions.ours()}
    lines = textdoc.lines(text)
    drop = set()
    for index, line in enumerate(lines):
        body = textdoc.strip_eol(line)
        spec = re.split(r"\s#", body, maxsplit=1)[0].strip()
        if body in pins.values():
            drop.add(index)
            taken.pins.append(spec)
        elif spec in pins:
            taken.kept.append(
                f"{REQUIREMENTS} line {index + 1}: `{spec}` is a pin lineage-setup writes, but with your comment: "
                f"it replaced a line of yours there; left as it is"
            )
    _propose(ws, REQUIREMENTS, text, drop, {}, "the pins lineage-setup added")


def _ignore_lines(ws: Workspace, rel: str, comment: str) -> None:
    from lineage_setup.edits import gitignore

    text = ws.read(rel)
    without = gitignore.remove(text, ENV_FILE, comment) if text is not None else None
    if without == "":
        ws.delete(rel, reason="only our lines were in it")
    elif without is not None:
        ws.write(rel, without, reason=f"our lines for {ENV_FILE}")


def _astro_steps(ws: Workspace, options: Options, taken: _Taken, target: Target | None) -> None:
    """The Deployment variables lineage-setup's commands created (none on Runtimes 4.2.0-9.1.x, where .env is for
    `astro dev` alone), then what rebuilds the local containers and the image."""
    if target is None or not target.automatic or target.composite:
        _deployment_steps(ws, options, taken, target is not None and target.composite)
    if taken.keys:
        ws.step(f"astro dev restart   (containers read {ENV_FILE} when they start)")
    if taken.pins:
        ws.step(f"astro deploy   (ships {REQUIREMENTS} without {', '.join(taken.pins)})")


def _deployment_steps(ws: Workspace, options: Options, taken: _Taken, composite: bool) -> None:
    from lineage_setup.integrations.airflow.forms import DEPLOYMENT_PLACEHOLDER

    keys = {key.split(" ", 1)[0] for key in taken.keys}
    if composite:
        names = sorted(key for key in keys if key.startswith(forms.SUBTRANSPORT))
    else:  # the commands set these, whether .env had its own line for them (kept) or ours (taken out)
        names = [key for key in LEGACY_KEYS if key in keys or key in taken.above]
    if not names:  # a fresh clone: .env is not in git, the pin is
        names = [f"{forms.SUBTRANSPORT}<NAME>__*" if composite else ", ".join(LEGACY_KEYS)]
    deployment = quoting.shell(options.deployment_id) if options.deployment_id else DEPLOYMENT_PLACEHOLDER
    if options.deployment_id is None:
        ws.step("export ASTRO_DEPLOYMENT_ID=...   (astro deployment list shows it)")
    ws.step(f"astro deployment variable list --deployment-id {deployment}   (shows which of these the Deployment has)")
    ws.step(
        f"delete {', '.join(names)} from the Deployment in the Astro UI (the Deployment's Environment tab, "
        "Environment Variables), where you created them with the `astro deployment variable create` commands "
        "lineage-setup showed: the Astro CLI has no command that deletes a Deployment variable "
        "(`astro deployment variable` has list, create and update only, and update refuses an empty value)"
    )
