"""The text dbt-ol reads: openlineage.yml from templates/dbt/, the variables, and the next steps."""

from __future__ import annotations

from pathlib import Path

from lineage_setup import quoting, templates
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL, Connection
from lineage_setup.integrations.base import Rendered
from lineage_setup.integrations.dbt.project import CONFIG
from lineage_setup.validate import DEFAULT_ENDPOINT

# openlineage.yml's namespace wrapper is the `transform` transport, in openlineage-python since 1.33.0
# (OpenLineage/OpenLineage CHANGELOG.md 1.33.0, PRs #3697 and #3706); --namespace-from env needs no wrapper.
PIN_TRANSFORM = "openlineage-dbt>=1.33"
PIN_PLAIN = "openlineage-dbt"
# the last next step: OpenLineage's page for dbt-ol (OpenLineage/OpenLineage@1.52.0 website/docs/integrations/dbt.md)
DOCS = "https://openlineage.io/docs/integrations/dbt"


def _indent(text: str, by: int) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.rstrip("\n").split("\n"))


def http(conn: Connection) -> str:
    """Our HTTP transport's lines, at column 0 (templates/dbt/http.yml.tmpl, auth.yml.tmpl)."""
    auth = "" if conn.keyless else "\n" + templates.render("dbt/auth.yml.tmpl", api_key=quoting.yaml_str(conn.api_key))
    return templates.render(
        "dbt/http.yml.tmpl",
        url=quoting.yaml_str(conn.url),
        endpoint=quoting.yaml_str(conn.endpoint),
        compression="\ncompression: gzip" if conn.preset.gzip else "",
        auth=auth.rstrip("\n"),
    )


def ours(conn: Connection, namespace_from: str) -> str:
    """The transport we write, at column 0: HTTP, wrapped in the namespace transform in file mode."""
    if namespace_from != "file":
        return http(conn)
    wrapped = templates.render(
        "dbt/transform.yml.tmpl", namespace=quoting.yaml_str(conn.namespace), transport=_indent(http(conn), 2)
    )
    return wrapped.rstrip("\n")


def transport_block(conn: Connection, namespace_from: str) -> str:
    """The `transport:` section of openlineage.yml, with ours alone."""
    return "transport:\n" + _indent(ours(conn, namespace_from), 2) + "\n"


def composite_block(entries: list[tuple[str, str]], ours_name: str) -> str:
    """The `transport:` section sending to every entry (name, transport lines at column 0)."""
    laid_out = "\n".join(f"  {name}:\n{_indent(body, 4)}" for name, body in entries)
    body = templates.render("dbt/composite.yml.tmpl", ours=ours_name, transports=laid_out)
    return "transport:\n" + _indent(body, 2) + "\n"


def config_file(conn: Connection, namespace_from: str) -> str:
    block = transport_block(conn, namespace_from)
    return templates.render("dbt/openlineage.yml.tmpl", transport=block.rstrip("\n"))


def env_vars(conn: Connection) -> list[tuple[str, str]]:
    pairs = [(ENV_URL, conn.url)]
    if conn.endpoint != DEFAULT_ENDPOINT:
        pairs.append((ENV_ENDPOINT, conn.endpoint))
    return [*pairs, (ENV_KEY, conn.api_key), (ENV_NAMESPACE, conn.namespace)]


def variables(conn: Connection, shell: bool) -> str:
    """The variables as dotenv lines or shell exports (templates/dbt/env.tmpl, shell.tmpl), quoted for each."""

    def line(name: str, value: str) -> str:
        quoted = quoting.shell(value) if shell else quoting.dotenv(value, name)
        return f"{'export ' if shell else ''}{name}={quoted}\n"

    def quote(value: str, name: str) -> str:
        return quoting.shell(value) if shell else quoting.dotenv(value, name)

    values = {
        "url": quote(conn.url, ENV_URL),
        "namespace": quote(conn.namespace, ENV_NAMESPACE),
        "endpoint": line(ENV_ENDPOINT, conn.endpoint) if conn.endpoint != DEFAULT_ENDPOINT else "",
        "api_key": "" if conn.keyless else line(ENV_KEY, conn.api_key),
    }
    return templates.render("dbt/shell.tmpl" if shell else "dbt/env.tmpl", **values)


def steps(conn: Connection, namespace_from: str, root: Path) -> list[str]:
    if namespace_from == "file":
        found = [f"pip install '{PIN_TRANSFORM}'   (the namespace setting, a transform transport, needs 1.33 or newer)"]
    else:
        found = [f"pip install {PIN_PLAIN}"]
    if namespace_from == "env":
        found.append(f"{quoting.export_line(ENV_NAMESPACE, conn.namespace)}   (in every shell that runs dbt-ol)")
    found.append(f"cd {root} && dbt-ol run   (also build, test, seed, snapshot; dbt-ol reads ./{CONFIG})")
    found.append("optional: dbt docs generate first, so events carry column schemas")
    if namespace_from == "file":
        found.append(
            f"when Airflow runs dbt-ol and passes its parent run, prefer --namespace-from env: "
            f"{CONFIG} renames the parent's namespace too, and wins over {ENV_NAMESPACE}"
        )
    found.append(f"docs: {DOCS}")
    return found


def printed(conn: Connection, namespace_from: str, fmt: str) -> Rendered:
    """--print in one of the formats: openlineage.yml, dotenv lines, or shell exports."""
    if fmt == "yaml":
        return Rendered(
            config_file(conn, namespace_from),
            (f"save as {CONFIG} in the dbt project, chmod 600, and list it in .gitignore",),
        )
    stale = f"an {CONFIG} in the directory dbt-ol runs from wins over these variables"
    if fmt == "env":
        return Rendered(variables(conn, shell=False), ("dotenv lines; keep the file out of git", stale))
    return Rendered(variables(conn, shell=True), ('for eval "$(lineage-setup dbt --print --format shell ...)"', stale))
