"""The Spark config as text: spark-defaults.conf lines, a SparkSession snippet, spark-submit flags, and the hints."""

from __future__ import annotations

import re
from pathlib import Path

from lineage_setup import quoting, templates
from lineage_setup.answers import Connection
from lineage_setup.edits import properties
from lineage_setup.errors import UsageError
from lineage_setup.integrations.base import Rendered
from lineage_setup.openlineage_spark import LISTENER, Target, transport_conf

# any openlineage-spark coordinate, with or without a Scala suffix: ours in another version
OUR_PACKAGE = re.compile(r"^io\.openlineage:openlineage-spark(_2\.1[0-9])?:")
COMMENT = "OpenLineage: listener and HTTP transport (added by lineage-setup)"
_NOT_TRANSPORT = ("spark.jars.packages", "spark.extraListeners", "spark.openlineage.namespace")


def settings(conn: Connection, tgt: Target) -> list[properties.Setting]:
    """What spark-defaults.conf gets: our jar and listener added to their lists, the transport keys set."""
    return [
        properties.Setting("spark.jars.packages", tgt.artifact, list_sep=",", replaces=OUR_PACKAGE),
        properties.Setting("spark.extraListeners", LISTENER, list_sep=","),
        *(properties.Setting(key, value) for key, value in transport_conf(conn, tgt)),
    ]


def all_conf(conn: Connection, tgt: Target) -> list[tuple[str, str]]:
    return [("spark.jars.packages", tgt.artifact), ("spark.extraListeners", LISTENER), *transport_conf(conn, tgt)]


def conf_lines(conn: Connection, tgt: Target) -> str:
    """spark-defaults.conf lines: exactly what patch mode adds to an empty file."""
    return properties.apply("", settings(conn, tgt), COMMENT)


def python_snippet(conn: Connection, tgt: Target) -> str:
    pairs = dict(all_conf(conn, tgt))
    groups = (
        ("the listener jar (from Maven Central) and the listener", ("spark.jars.packages", "spark.extraListeners")),
        ("where lineage events go", tuple(key for key in pairs if key not in _NOT_TRANSPORT)),
        ("the namespace your Spark jobs are listed under", ("spark.openlineage.namespace",)),
    )
    lines = []
    for comment, keys in groups:
        lines.append(f"    # {comment}")
        lines.extend(f"    .config({key!r}, {pairs[key]!r})" for key in keys)
    return templates.render("spark/session.py.tmpl", version=tgt.version, configs="\n".join(lines))


def submit_flags(conn: Connection, tgt: Target) -> str:
    flags = [f"--packages {quoting.shell(tgt.artifact)}"]
    flags += [f"--conf {quoting.shell(f'{key}={value}')}" for key, value in all_conf(conn, tgt)[1:]]
    return " \\\n".join(flags) + "\n"


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
                "lists (lineage-setup spark --spark-conf PATH does that for you)",
            ),
        ),
    }


def steps(path: Path, tgt: Target) -> list[str]:
    """What the user does after spark-defaults.conf is patched."""
    return [
        f"run your jobs as usual (spark-submit, pyspark, spark-shell read {path}); the first start "
        f"downloads {tgt.artifact} from Maven Central (offline: put {tgt.jar_name} in $SPARK_HOME/jars "
        "and drop it from spark.jars.packages)",
        "look for OpenLineageSparkListener in the driver log, and for your jobs in the lineage UI",
    ]
