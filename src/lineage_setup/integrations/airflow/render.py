"""The words around the forms (forms.py): what Astro does itself, the next steps, the commands that
reproduce what was shown, and --print.

`astro deployment variable create` takes KEY=VALUE arguments and `--secret` (astronomer/astro-cli
`cmd/cloud/deployment.go`); `create` skips keys the Deployment has, `update` replaces them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import quoting
from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow import destination, forms, versions
from lineage_setup.integrations.airflow.project import ENV_FILE, REQUIREMENTS, Target
from lineage_setup.integrations.airflow.versions import TRANSPORT
from lineage_setup.integrations.base import Rendered
from lineage_setup.validate import DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from lineage_setup.integrations.airflow import Options

UPGRADE = "Upgrading to Astro Runtime 4.2.0 or newer is the easier path: Astro then configures lineage itself."
KEY_HINT = "with your key in OPENLINEAGE_API_KEY or --api-key-file"
# The last next step, by who configures lineage: Astro ("Configure OpenLineage on Astro"), the provider's user
# guide, or (openlineage-airflow) OpenLineage's Airflow page, which sends Airflow < 2.7 to its 1.41 docs
# (OpenLineage/OpenLineage@1.52.0 website/docs/integrations/airflow.md).
DOCS_ASTRO = "https://www.astronomer.io/docs/astro/observe-openlineage"
DOCS_PROVIDER = "https://airflow.apache.org/docs/apache-airflow-providers-openlineage/stable/guides/user.html"
DOCS_OPENLINEAGE_AIRFLOW = "https://openlineage.io/docs/integrations/airflow"
_DEPLOYMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def deployment_id(raw: str | None) -> str | None:
    """--deployment-id, checked: it goes into shell commands."""
    if raw is None:
        return None
    if not _DEPLOYMENT_ID.fullmatch(raw):
        raise UsageError(f"--deployment-id: {raw!r} is not an Astro Deployment id (letters, digits, - and _)")
    return str(raw)


def variables(conn: Connection, era: versions.Era) -> list[tuple[str, str]]:
    """What the .env form of this era sets, read back from its template (legacy, or the provider's)."""
    text = forms.provider(conn, "env") if era == "provider" else forms.legacy(conn, "env", backend=era == "backend")
    return forms.pairs(text)


def command(conn: Connection, options: Options, root: Path | None, *extra: str) -> str:
    """The `lineage-setup airflow` command that shows again what this run showed (the key aside)."""
    words = ["lineage-setup", "airflow"] + (["--dir", str(root)] if root is not None else [])
    if options.airflow_version:
        words += ["--airflow-version", options.airflow_version]
    domain = destination.domain_of(conn)
    if conn.backend != ("astro" if domain else "custom"):  # what --domain or --url alone would not pick
        words += ["--backend", conn.backend]
    words += ["--domain", domain] if domain else ["--url", conn.url]
    if conn.endpoint != DEFAULT_ENDPOINT:
        words += ["--endpoint", conn.endpoint]
    words += ["--namespace", conn.namespace]
    for flag, value in ((destination.FLAG, options.transport_name), ("--deployment-id", options.deployment_id)):
        words += [flag, value] if value else []
    words += ["--local"] if options.local and "--local" not in extra else []
    return " ".join(quoting.shell(word) for word in [*words, *extra])


def docs(found: Target) -> str:
    """The next steps' last line: the upstream page for what sends this project's lineage."""
    if found.astro and found.automatic:
        return f"docs: {DOCS_ASTRO}"
    return f"docs: {DOCS_PROVIDER if found.era == 'provider' else DOCS_OPENLINEAGE_AIRFLOW}"


def automatic(found: Target) -> str:
    """What Astro does itself on this Runtime (an Airflow 3 Runtime is not one of the 'Runtime 4.2.0+')."""
    if found.airflow.major >= 3:
        return "Astro configures lineage itself on its Airflow 3 Runtimes."
    return f"Astro configures lineage itself from Astro Runtime {versions.AUTOMATIC_FROM} on."


def no_second_destination(found: Target) -> str:
    return (
        f"{found.label} runs openlineage-airflow, not the provider: this tool adds an endpoint next to Astro's "
        f"only from Runtime {versions.PROVIDER_SHIPPED_FROM} (and on Airflow 3 Runtimes), so the Deployment "
        f"keeps sending to Astro alone. Upgrade the Runtime to add one."
    )


def namespace_info(conn: Connection) -> str:
    if forms.renames(conn):
        return (
            f"This destination alone gets the job namespace {conn.namespace} ({conn.preset.title} needs "
            f"{conn.preset.namespace_hint}): the sub-transport is a `transform` transport with "
            f"JobNamespaceReplaceTransformer around the http one ({versions.CLIENT} {versions.TRANSFORM_SINCE}+); "
            f"Astro's own destinations keep the Deployment's namespace."
        )
    return (
        f"The namespace ({conn.namespace}) is not set: on Astro every destination gets the Deployment's namespace, "
        f"which Astro sets. A namespace for this endpoint alone needs a `transform` sub-transport "
        f"(openlineage-python {versions.TRANSFORM_SINCE}+; Astro's guide 'Use TransformTransport to customize "
        f"OpenLineage events')."
    )


def subtransport_infos(conn: Connection, name: str, astro: bool) -> list[str]:
    infos = [
        f"{conn.lineage_url} is added as sub-transport {name} of Astro's composite transport: Astro's own "
        f"destinations (Observe, alerts) stay. Do not set {TRANSPORT}: the provider would hand it to the client, "
        f"which then drops Astro's composite.",
        f"{ENV_FILE} also sets OPENLINEAGE__TRANSPORT__TYPE=composite for `astro dev`, where Astro sets nothing; "
        f"on the Deployment Astro sets it. {versions.CLIENT} reads these variables from {versions.CLIENT_READS_ENV}; "
        f"Astro recommends {versions.CLIENT_FOR_ASTRO.spec.removeprefix(versions.CLIENT)} for its composite "
        f"(added to {REQUIREMENTS}).",
    ]
    if astro:
        infos[0] = f"The Deployment sends to Astro already; {ENV_FILE} adds {conn.lineage_url} for `astro dev` runs."
    if forms.json_value(conn.api_key):
        infos.append(
            f"The key goes in as one JSON value (...__{name}__AUTH): {versions.CLIENT} reads every OPENLINEAGE__ "
            f"value as JSON first, and this key alone would become a number, a boolean or a list."
        )
    return [*infos, namespace_info(conn)]


def deployment_steps(text: str, deployment: str | None, reprint: str, keyless: bool = False) -> list[str]:
    steps = []
    if deployment is None:
        steps.append(
            "export ASTRO_DEPLOYMENT_ID=...   (astro deployment list shows it; or run this with --deployment-id)"
        )
    commands = "\n".join(f"     {line}" for line in text.splitlines())
    steps.append(
        f"set the same variables on the Deployment ({ENV_FILE} is for local runs only and never deployed):\n"
        f"{commands}\n"
        "     `create` skips keys the Deployment already has: to replace them, run the same commands with "
        + (
            f"`update` instead of `create`. `{reprint}` prints these commands again."
            if keyless
            else f"`update` instead of `create`. The key shows as ****; `{reprint}` prints these commands with it "
            f"({KEY_HINT})."
        )
    )
    return steps


def guidance(found: Target, conn: Connection, options: Options, root: Path) -> tuple[list[str], list[str]]:
    """What to know (infos) and what to do next (steps), where nothing configures lineage but us."""
    if not found.astro:
        return [], _plain_steps()
    deployment = deployment_id(options.deployment_id)
    text = forms.legacy(conn, "astro", backend=found.era == "backend", deployment=deployment)
    steps = [
        f"astro dev restart   (rebuilds the image with {REQUIREMENTS}; containers read {ENV_FILE})",
        *deployment_steps(text, deployment, command(conn, options, root, "--print", "--format", "astro"), conn.keyless),
        f"astro deploy   (ships {REQUIREMENTS} to the Deployment)",
    ]
    return [UPGRADE], steps


def _plain_steps() -> list[str]:
    return [
        f"pip install -r {REQUIREMENTS}   (in the Airflow environment, with Airflow's constraints file)",
        f"give the scheduler, workers, triggerer and webserver/API server the variables in {ENV_FILE} "
        f"(e.g. `set -a; . ./{ENV_FILE}; set +a` before starting them, or `env_file: {ENV_FILE}` in docker "
        f"compose), then restart them",
    ]


def printed(conn: Connection, found: Target, options: Options, form: forms.Form, root: Path | None = None) -> Rendered:
    """--print: what the target reads, as dotenv lines, shell exports or Astro CLI commands (root: the project
    folder whose Dockerfile was read, repeated in the commands the hints name)."""
    deployment = deployment_id(options.deployment_id)
    what = f"{found.label} (Airflow {found.airflow}, {found.origin})" if found.astro else f"Airflow {found.airflow}"
    if found.composite:
        return _printed_composite(conn, found, options, form, what, root)
    if found.automatic:  # a Runtime that ships openlineage-airflow: Astro's lineage, and .env for astro dev
        if form == "astro":
            return Rendered("", (f"{what}: {automatic(found)} Nothing to set.", no_second_destination(found)))
        text = forms.legacy(conn, form, backend=found.era == "backend")
        return Rendered(text, (f"{what}: for `astro dev` only; never load these into the Deployment",))
    if form == "astro" and not found.astro:
        raise UsageError("--format astro is for Astro projects; this Dockerfile is not an Astro Runtime image")
    hints = [f"variables for {what}: lineage through {versions.ERA_WORDS[found.era]}"]
    if found.origin == "default":
        hints[0] = "variables for Airflow 2.7+ and 3 (pass --airflow-version for older Airflow, or --dir a project)"
    if form == "astro":
        hints.append("`create` skips keys that already exist; `update` with the same arguments replaces them")
        return Rendered(forms.legacy(conn, form, backend=found.era == "backend", deployment=deployment), tuple(hints))
    if form == "env":
        hints.append("dotenv lines, e.g. for an Astro project's .env (local runs only); keep the file out of git")
    if found.era == "provider":
        return Rendered(forms.provider(conn, form), tuple(hints))
    return Rendered(forms.legacy(conn, form, backend=found.era == "backend"), tuple(hints))


def _printed_composite(
    conn: Connection, found: Target, options: Options, form: forms.Form, what: str, root: Path | None
) -> Rendered:
    astro = destination.is_astro(conn)
    if astro and not (options.local and form != "astro"):
        local = command(conn, options, root, "--local", "--print", "--format", "env")
        return Rendered("", (f"{what}: {automatic(found)} Nothing to set.", f"for `astro dev` runs: {local}"))
    name = destination.name(options.transport_name, conn)
    hints = [
        f"{what}: adds {conn.lineage_url} as sub-transport {name} next to Astro's own destinations; "
        f"never set {TRANSPORT} there",
        f"needs {versions.CLIENT_FOR_ASTRO.spec} in {REQUIREMENTS} (Astro's recommendation for its composite)",
    ]
    if form == "astro":
        hints.append("`create` skips keys that already exist; `update` with the same arguments replaces them")
    else:
        hints.append("for `astro dev` (.env): OPENLINEAGE__TRANSPORT__TYPE=composite is there as Astro sets it")
    deployment = deployment_id(options.deployment_id)
    return Rendered(forms.subtransport(conn, name, form, deployment, rename=forms.renames(conn)), tuple(hints))
