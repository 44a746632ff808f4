"""The answers as Great Expectations reads them (the action's parameters), and the YAML to paste:
--print's formats, and the snippets a refusal shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import quoting, templates
from lineage_setup.edits.yaml_emit import Scalar, placeholder, plain, quoted
from lineage_setup.errors import UnsafeTargetError, UsageError
from lineage_setup.integrations.base import Rendered
from lineage_setup.integrations.great_expectations.edits import KEY_VARIABLE, OPERATOR
from lineage_setup.integrations.great_expectations.project import CONFIG, PIN, SUPPORTED, VARIABLES
from lineage_setup.validate import DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from lineage_setup.answers import Connection

Params = Mapping[str, Scalar]
# the last next step: OpenLineage's page for its GE action
# (OpenLineage/OpenLineage@1.52.0 website/docs/integrations/great-expectations.md)
DOCS = "https://openlineage.io/docs/integrations/great-expectations"


def openlineage_host(conn: Connection) -> str:
    """The action posts to `<openlineage_host>/api/v1/lineage` (urljoin): only endpoints ending so fit (a
    prefix before it is kept as the host's path: DataHub's and Atlan's paths end so)."""
    if conn.endpoint == DEFAULT_ENDPOINT:
        return conn.url
    if conn.endpoint.endswith("/" + DEFAULT_ENDPOINT):
        return f"{conn.url}/{conn.endpoint[: -len(DEFAULT_ENDPOINT)]}"  # a prefix, kept by urljoin's trailing /
    backend = f"{conn.preset.title}'s endpoint" if conn.backend != "custom" else "the endpoint"
    raise UsageError(
        f"{backend} {conn.endpoint} cannot be used with GE 0.x: OpenLineage's GE action "
        f"(openlineage-integration-common <= 1.39.0) always posts to <openlineage_host>/{DEFAULT_ENDPOINT}. "
        "GX 1.x projects can (lineage-setup great-expectations sets them up with any endpoint). On GE 0.x, leave "
        "openlineage_host out of the action and configure the OpenLineage client where GE runs: "
        f"OPENLINEAGE_URL={conn.url} and OPENLINEAGE_ENDPOINT={conn.endpoint}, or an openlineage.yml "
        f"(`{dbt_print_command(conn)}` prints one)"
    )


def dbt_print_command(conn: Connection) -> str:
    """The command that prints an openlineage.yml for these answers (the key is asked, or read from the
    environment): the file openlineage-python reads where GE runs, too."""
    flags = ["--url", conn.url, "--endpoint", conn.endpoint, "--namespace", conn.namespace]
    flags += ["--backend", conn.backend] if conn.backend != "custom" else []
    return "lineage-setup dbt --print --format yaml " + " ".join(quoting.shell(flag) for flag in flags)


def add_refusal(conn: Connection, elsewhere: Iterable[str]) -> UsageError:
    """--add on a project whose action sends elsewhere: the action takes one host; the alternative."""
    where = ", ".join(elsewhere)
    return UsageError(
        f"--add: Great Expectations' OpenLineage action sends to one host (openlineage_host; GX 1.x: its url), so "
        f"lineage-setup cannot add {conn.lineage_url} beside {where}. To send to both, leave openlineage_host "
        "and openlineage_apiKey (GX 1.x: url and api_key) out of the action, and give the OpenLineage client a "
        "composite transport where GE runs: an openlineage.yml in the folder GE runs from (or OPENLINEAGE_CONFIG "
        "naming one), or OPENLINEAGE__TRANSPORT__TYPE=composite with OPENLINEAGE__TRANSPORT__TRANSPORTS__<NAME>__* "
        "variables (openlineage-python 1.23.0 or later). "
        f"`{dbt_print_command(conn)}` prints the openlineage.yml for {conn.lineage_url}; put its transport and the "
        "one you have under `transport: {type: composite, continue_on_failure: true, transports: {<name>: ..., "
        "<name>: ...}}`. " + f"Or pass --replace to send to {conn.lineage_url} only."
    )


def check_job_name(name: str | None) -> None:
    """--job-name goes into the YAML as it is: printable, and without a `$` GE would substitute."""
    if name is None:
        return
    if not name or name != name.strip() or len(name) > 1024 or not name.isprintable():
        raise UsageError("--job-name: give 1-1024 printable characters without surrounding spaces")
    if "$" in name:
        raise UsageError("--job-name: GE would read '$' as a variable ($NAME or ${NAME}); leave it out")


def params(conn: Connection, job_name: str | None) -> dict[str, Scalar]:
    """The action's parameters we own; the key only as a ${VAR} GE substitutes (none for a backend that
    takes no key)."""
    values = {
        "openlineage_host": quoted(openlineage_host(conn)),
        "openlineage_namespace": quoted(conn.namespace),
    }
    if not conn.keyless:
        values["openlineage_apiKey"] = placeholder(KEY_VARIABLE)
    if job_name is not None:
        values["job_name"] = quoted(job_name)
    return values


def _action_values(params: Params) -> dict[str, str]:
    """The action's parameters as the templates take them: YAML literals (a value or `null`)."""
    names = ("openlineage_host", "openlineage_namespace", "openlineage_apiKey", "job_name")
    return {name: params[name].literal if name in params else "null" for name in names}


def _snippet(template: str, params: Params) -> str:
    """A template with the action's values; without a key, its openlineage_apiKey line is left out."""
    text = templates.render(template, **_action_values(params))
    return text if "openlineage_apiKey" in params else re.sub(r"(?m)^ *openlineage_apiKey: null\n", "", text)


def operator_snippet(params: Params) -> str:
    """great_expectations.yml's validation operator with GE's default actions and ours (the edit itself is
    spliced by edits/yaml_write in the file's own indentation)."""
    return _snippet("great_expectations/operator.yml.tmpl", params)


def checkpoint_snippet(params: Params) -> str:
    return _snippet("great_expectations/checkpoint_action.yml.tmpl", params)


def checkpoint_by_hand(params: Params, text: str) -> str:
    """What to do to a checkpoint file we cannot edit: a LegacyCheckpoint names our operator, others
    list the action."""
    if re.search(r"^class_name:\s*LegacyCheckpoint\b", text, re.MULTILINE):
        return "Give it this line yourself:\nvalidation_operator_name: " + OPERATOR + "\n"
    return "Give its action_list this item yourself:\n" + checkpoint_snippet(params)


def variables_snippet(conn: Connection) -> str:
    return variables_lines((KEY_VARIABLE,), conn.api_key) + "\n"


def variables_lines(names: Iterable[str], api_key: str) -> str:
    """One `NAME: "key"` line per variable (a name GE substitutes is a plain word; the key is quoted)."""
    template = "great_expectations/variables.yml.tmpl"
    return "".join(
        templates.render(template, variable=plain(name).literal, api_key=quoting.yaml_str(api_key)) for name in names
    ).rstrip("\n")


def gzip_note(conn: Connection) -> str:
    return (
        f"{conn.preset.title} expects gzip-compressed events, and OpenLineage's GE 0.x action has no compression "
        "setting: it sends them uncompressed (GX 1.x projects get compression: gzip)"
    )


def render(conn: Connection, job_name: str | None, fmt: str) -> Rendered:
    versions = f"works with {SUPPORTED}; pip install '{PIN}' (GX 1.x: --format gx1)"
    gzip = (gzip_note(conn),) if conn.preset.gzip else ()
    if fmt == "checkpoint":
        return Rendered(
            checkpoint_snippet(params(conn, job_name)),
            ("append this item to the action_list of each Checkpoint YAML file in checkpoints/", versions, *gzip),
        )
    if fmt == "variables":
        if conn.keyless:
            raise UsageError(f"--format variables: there is no key to print ({conn.preset.title} takes none)")
        return Rendered(
            variables_snippet(conn),
            (f"add to {VARIABLES} (chmod 600; GE's .gitignore keeps uncommitted/ out of git)",),
        )
    key = f"the key goes into {VARIABLES} (--format variables)" if not conn.keyless else "no key: none is sent"
    return Rendered(
        operator_snippet(params(conn, job_name)),
        (
            f"merge into {CONFIG}; point LegacyCheckpoints at it with validation_operator_name: {OPERATOR}",
            key,
            versions,
            *gzip,
        ),
    )


def variables_outside(config: Path, given: object, conn: Connection) -> UnsafeTargetError:
    """The refusal for a config_variables_file_path outside the project."""
    return UnsafeTargetError(
        f"config_variables_file_path in {config} is {given!r}: lineage-setup writes the key only to a file "
        f"inside the project; nothing was written. Put this in your variables file yourself (your key where "
        f"it shows ****):\n{variables_snippet(conn)}"
    )


def variables_shared(config: Path, given: object, other: str, conn: Connection) -> UnsafeTargetError:
    """The refusal for a config_variables_file_path naming a file that is not meant for secrets."""
    return UnsafeTargetError(
        f"config_variables_file_path in {config} is {given!r}, which is {other}: the API key would be written "
        "into a file that is not meant for secrets (it is shared, or committed); nothing was written. Point "
        f"config_variables_file_path at a file of its own (GE's default: {VARIABLES}) and put this in it "
        f"(your key where it shows ****):\n{variables_snippet(conn)}"
    )


def refusal(refused: list[tuple[Path, str]]) -> UnsafeTargetError:
    """Files that cannot be edited, each with why and the change to make by hand (the first five)."""
    shown = [f"{path}: cannot edit it safely: {why}" for path, why in refused[:5]]
    more = f"\n(and {len(refused) - 5} more)" if len(refused) > 5 else ""
    return UnsafeTargetError(
        "nothing was written; these files cannot be edited safely (fix them, or make the change shown "
        "yourself, then run this again):\n\n" + "\n\n".join(shown) + more
    )
