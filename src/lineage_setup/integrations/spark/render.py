"""The Spark config as text: spark-defaults.conf lines, a SparkSession snippet, spark-submit flags, and the hints.

Each printed form is a template in templates/spark/ (one per form, and one per form for the legacy keys of
openlineage-spark before 0.19.2); every value is quoted for its format before it is substituted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from lineage_setup import quoting, templates
from lineage_setup.answers import Connection
from lineage_setup.edits import properties
from lineage_setup.errors import UsageError
from lineage_setup.integrations.base import Rendered
from lineage_setup.openlineage_spark import (
    LISTENER,
    OPENLINEAGE_VERSION,
    SCALA_DEFAULT,
    Target,
    template_values,
    transport_conf,
)

# any openlineage-spark coordinate, with or without a Scala suffix: ours in another version
OUR_PACKAGE = re.compile(r"^io\.openlineage:openlineage-spark(_2\.1[0-9])?:")
# the first line of templates/spark/spark-defaults*.conf.tmpl: patch mode adds the same lines under it
COMMENT = "OpenLineage: listener and HTTP transport (added by lineage-setup)"
# the last next step: OpenLineage's Spark pages
# (OpenLineage/OpenLineage@1.52.0 website/docs/integrations/spark/spark.md)
DOCS = "https://openlineage.io/docs/integrations/spark/"


def settings(conn: Connection, tgt: Target) -> list[properties.Setting]:
    """What spark-defaults.conf gets: our jar and listener added to their lists, the transport keys set."""
    return [
        properties.Setting("spark.jars.packages", tgt.artifact, list_sep=",", replaces=OUR_PACKAGE),
        properties.Setting("spark.extraListeners", LISTENER, list_sep=","),
        *(properties.Setting(key, value) for key, value in transport_conf(conn, tgt)),
    ]


def all_conf(conn: Connection, tgt: Target) -> list[tuple[str, str]]:
    return [("spark.jars.packages", tgt.artifact), ("spark.extraListeners", LISTENER), *transport_conf(conn, tgt)]


# each form's separator before one more line (the key, compression), and how it quotes a key
_LINES: dict[str, tuple[str, Callable[[str], str]]] = {
    "conf": ("\n", str),
    "py": ("\n", lambda key: python_str(key)),  # python_str is defined below
    "submit": (" \\\n", str),
}


def _render(form: str, suffix: str, kind: str, conn: Connection, tgt: Target, quote: Callable[[str], str]) -> str:
    """templates/spark/<form>[-legacy]<suffix>, each value quoted by `quote`; the keys no placeholder names go
    into `$more`, a line each from templates/spark/line.<kind>.tmpl."""
    sep, quote_key = _LINES[kind]

    def more(pairs: list[tuple[str, str]]) -> str:
        lines = (templates.render(f"spark/line.{kind}.tmpl", key=quote_key(k), value=quote(v)) for k, v in pairs)
        return "".join(sep + line for line in lines)

    values = template_values(transport_conf(conn, tgt), tgt, quote, more)
    values.update(packages=quote(tgt.artifact), listener=quote(LISTENER))
    era = "-legacy" if tgt.legacy_keys else ""
    return templates.render(f"spark/{form}{era}{suffix}", version=tgt.version, **values)


def conf_lines(conn: Connection, tgt: Target) -> str:
    """spark-defaults.conf lines: exactly what patch mode adds to an empty file."""
    return _render("spark-defaults", ".conf.tmpl", "conf", conn, tgt, properties.escape_value)


def python_snippet(conn: Connection, tgt: Target) -> str:
    return _render("session", ".py.tmpl", "py", conn, tgt, python_str)


def submit_flags(conn: Connection, tgt: Target) -> str:
    return _render("spark-submit-flags", ".tmpl", "submit", conn, tgt, quoting.shell)


def python_str(value: str) -> str:
    """A double-quoted Python string literal (a JSON string is one, non-ASCII kept as it is)."""
    return json.dumps(value, ensure_ascii=False)


def check_values(conn: Connection, tgt: Target) -> None:
    """UsageError for a value no spark-defaults.conf line can hold (a newline), whatever the format."""
    try:
        for key, value in all_conf(conn, tgt):
            properties.line(key, value)
    except properties.ValueRejected as exc:
        raise UsageError(f"cannot render the Spark config: {exc}") from None


def rendered(conn: Connection, tgt: Target, fmt: str) -> Rendered:
    """--print --format FMT; "all" gives each format in turn under its own heading."""
    parts = _parts(conn, tgt)
    if fmt == "all":
        headed = (Rendered(part.text, (f"=== --format {name} ===", *part.hints)) for name, part in parts.items())
        return Rendered("", sections=tuple(headed))
    return parts[fmt]


def _parts(conn: Connection, tgt: Target) -> dict[str, Rendered]:
    about = f"openlineage-spark {tgt.version} ({tgt.artifact})"
    return {
        "python": Rendered(
            python_snippet(conn, tgt),
            (
                f"a SparkSession for {about}; create it before any other session "
                "(spark.jars.packages is read only when the JVM starts)",
                "if your builder already sets spark.jars.packages or spark.extraListeners, add ours to "
                "that comma-separated value: a second .config() replaces the first",
            ),
        ),
        "submit": Rendered(
            submit_flags(conn, tgt),
            (f"spark-submit flags for {about}; paste after spark-submit, before your application",),
        ),
        "conf": Rendered(
            conf_lines(conn, tgt),
            (
                f"spark-defaults.conf lines for {about}; keep the file private (chmod 600), it holds "
                "the key; if it already sets spark.extraListeners or spark.jars.packages, add ours to those "
                f"lists (lineage-setup spark --spark-conf PATH{_release_flags(tgt)} does that for you)",
            ),
        ),
    }


def _release_flags(tgt: Target) -> str:
    """The flags that make another run write config for this same release."""
    flags = f" --openlineage-version {tgt.version}" if tgt.version != OPENLINEAGE_VERSION else ""
    return flags + (f" --scala {tgt.scala}" if tgt.scala != SCALA_DEFAULT else "")


def steps(path: Path, tgt: Target) -> list[str]:
    """What the user does after spark-defaults.conf is patched."""
    return [
        f"run your jobs as usual (spark-submit, pyspark, spark-shell read {path}); the first start "
        f"downloads {tgt.artifact} from Maven Central (offline: put {tgt.jar_name} in $SPARK_HOME/jars "
        "and drop it from spark.jars.packages)",
        "look for OpenLineageSparkListener in the driver log, and for your jobs in the lineage UI",
        f"docs: {DOCS}",
    ]
