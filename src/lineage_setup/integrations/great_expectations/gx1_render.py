"""GX 1.x's forms, each from templates/great_expectations/gx1_*.tmpl with its values quoted for its format
first: the plugin module (Python), a checkpoint's action entry (JSON, as GX writes it) and the lines of
great_expectations.yml that make GX import the module. Used by the edits, --print --format gx1 and the
refusals (the change to make by hand).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage_setup import PROJECT_URL, __version__, quoting, templates
from lineage_setup.edits.yaml_emit import plain
from lineage_setup.errors import UnsafeTargetError, UsageError
from lineage_setup.integrations.base import Rendered
from lineage_setup.integrations.great_expectations.edits import KEY_VARIABLE
from lineage_setup.integrations.great_expectations.gx1_project import (
    ACTION_TYPE,
    MODULE,
    PLUGINS,
    STORE,
    SUPPORTED,
    VERSION,
    Layout,
    OwnStore,
)
from lineage_setup.integrations.great_expectations.project import VARIABLES

if TYPE_CHECKING:
    from lineage_setup.answers import Connection

PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"  # as verify's test events say it
PIN = "openlineage-python>=1.13.1"  # event_v2 and facet_v2 (the data quality facets) are in 1.13.1 and later
# HttpConfig reads `compression` (gzip) since openlineage-python 1.13.0 (client/python/openlineage/client/
# transport/http.py @1.13.0), so PIN covers it
COMPRESSION = "gzip"
MARKER = "(written by lineage-setup"  # the module's first line says so: ours to replace
# the last next step: OpenLineage's GE action runs on GE 0.x only; GX 1.x runs ours as a custom Action
DOCS = "https://docs.greatexpectations.io/docs/core/trigger_actions_based_on_results/create_a_custom_action"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def module_text() -> str:
    """The plugin module: the action class GX registers under ACTION_TYPE when it imports the module."""
    assert _IDENTIFIER.fullmatch(MODULE)  # named in a docstring and an import line as it is
    return templates.render(
        "great_expectations/gx1_action.py.tmpl",
        action_type=json.dumps(ACTION_TYPE),
        producer=json.dumps(PRODUCER),
        module=MODULE,
    )


def is_ours(text: str) -> bool:
    return MARKER in text.split("\n", 1)[0]


def check_values(conn: Connection) -> None:
    """GX reads `$NAME` and `${NAME}` in an action's text fields as config variables: none in ours."""
    for name, value in (("--url", conn.url), ("--endpoint", conn.endpoint), ("--namespace", conn.namespace)):
        if "$" in value:
            raise UsageError(f"{name}: GX would read '$' as a variable ($NAME or ${{NAME}}); leave it out")


def entry_text(conn: Connection, job_name: str | None) -> str:
    """The checkpoint's action entry as GX writes it (keys sorted, indent 2; the key only as ${VAR}, and none
    for a backend that takes none; compression for a backend that expects gzip)."""
    api_key = "" if conn.keyless else f'\n  "api_key": {json.dumps(f"${{{KEY_VARIABLE}}}")},'
    return templates.render(
        "great_expectations/gx1_checkpoint_action.json.tmpl",
        api_key=api_key,  # none for a backend that takes no key
        compression=f'\n  "compression": {json.dumps(COMPRESSION)},' if conn.preset.gzip else "",
        endpoint=json.dumps(conn.endpoint),
        job_name=json.dumps(job_name),
        namespace=json.dumps(conn.namespace),
        action_type=json.dumps(ACTION_TYPE),
        url=json.dumps(conn.url),
    )


def action_entry(conn: Connection, job_name: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(entry_text(conn, job_name))
    return entry


def store_text(where: Layout | None = None, variables: str = VARIABLES) -> str:
    """The great_expectations.yml lines that make GX import the module with its checkpoint store."""
    return templates.render(
        "great_expectations/gx1_store.yml.tmpl",
        variables_file=plain(variables).literal,
        plugins_directory=plain(where.plugins if where and where.plugins else PLUGINS).literal,
        store_name=plain(where.store if where else STORE).literal,
        module=plain(MODULE).literal,
    )


def print_command(conn: Connection, job_name: str | None) -> str:
    """The command that prints these forms again (the key is asked, or read from the environment)."""
    flags = ["--url", conn.url, "--endpoint", conn.endpoint, "--namespace", conn.namespace]
    flags += ["--job-name", job_name] if job_name is not None else []
    flags += ["--backend", conn.backend] if conn.backend != "custom" else []
    return "lineage-setup great-expectations --print --format gx1 " + " ".join(quoting.shell(f) for f in flags)


def by_hand(conn: Connection, job_name: str | None, own_store: bool = False) -> str:
    """Everything a user does by hand: the module, how GX gets to import it, the checkpoint entry, the key."""
    loading = (
        f"keep your checkpoint store, and run `import {MODULE}` after gx.get_context() (which puts "
        "plugins_directory on sys.path) and before loading a checkpoint"
        if own_store
        else f"merge this into great_expectations.yml (GX then imports the module with its checkpoint store):\n"
        f"{store_text()}"
    )
    return (
        f"save the module that `{print_command(conn, job_name)}` prints as "
        f"{PLUGINS}{MODULE}.py in the project's plugins_directory, {loading}\n"
        f'add this item to the "actions" list of each checkpoint\'s JSON file:\n{entry_text(conn, job_name)}'
        f"and put {KEY_VARIABLE} in {VARIABLES} (--format variables) or the environment where GX runs.\n"
    )


def config_refusal(config: Path, why: object, conn: Connection, job_name: str | None) -> UnsafeTargetError:
    own_store = isinstance(why, OwnStore)
    return UnsafeTargetError(
        f"{config}: cannot set up its GX 1.x checkpoints: {why}. Nothing was written. To set it up by hand: "
        f"{by_hand(conn, job_name, own_store)}"
    )


def unknown_refusal(config: Path, why: str, conn: Connection, job_name: str | None) -> UnsafeTargetError:
    return UnsafeTargetError(
        f"{config}: {why}. lineage-setup knows GE 0.x (config_version 2 or 3, YAML checkpoints) and GX 1.x "
        f"(config_version {VERSION}, JSON checkpoints), so it cannot tell what would load the action; nothing was "
        f"written. If this project runs GX 1.x, set it up by hand: {by_hand(conn, job_name)}"
    )


def module_refusal(path: Path, conn: Connection, job_name: str | None) -> UnsafeTargetError:
    return UnsafeTargetError(
        f"{path} exists and was not written by lineage-setup; nothing was written. Move it aside (compare it "
        f"with what `{print_command(conn, job_name)}` prints first), then run this again."
    )


def checkpoint_by_hand(conn: Connection, job_name: str | None) -> str:
    return f'Add this item to its "actions" list yourself:\n{entry_text(conn, job_name)}'


def _key_hint(conn: Connection) -> str:
    if conn.keyless:
        return f"no key: {conn.preset.title} takes none"
    return f"the key goes into gx/{VARIABLES} (--format variables) or the environment as {KEY_VARIABLE}"


def render(conn: Connection, job_name: str | None) -> Rendered:
    """--print --format gx1: the module, then the checkpoint entry and the great_expectations.yml lines."""
    check_values(conn)
    requirement = f"needs {SUPPORTED} and {PIN} where GX runs"
    return Rendered(
        module_text(),
        (f"save as gx/{PLUGINS}{MODULE}.py (GX puts plugins_directory on sys.path); {requirement}",),
        (
            Rendered(
                entry_text(conn, job_name),
                (f'add this item to the "actions" list of each gx/checkpoints/*.json; {_key_hint(conn)}',),
            ),
            Rendered(
                store_text(),
                (
                    "merge into gx/great_expectations.yml: GX then imports the module whenever it loads the "
                    f"project (without it, run `import {MODULE}` before loading a checkpoint)",
                ),
            ),
        ),
    )
