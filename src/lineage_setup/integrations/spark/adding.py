"""--add and --replace on a spark-defaults.conf that already sends somewhere.

--add: openlineage-spark's composite transport (1.23.0 and newer). The transport there is renamed in place to
`spark.openlineage.transport.transports.<its host>.*` (its lines, separators and values as they were), and the
composite keys and ours (`transports.lineage_setup_<host>.*`) are appended under one comment line that says
so, which is how `remove` finds and reverses it. The namespace stays the one the file sets: openlineage-spark
has one namespace for every destination (the Java client has no per-destination namespace transformer).
The openlineage-spark release the file loads stays (its version decides whether it reads a composite).
--replace: ours alone, so a composite's other sub-transports go.
"""

from __future__ import annotations

import re
from pathlib import Path

from lineage_setup.answers import Connection
from lineage_setup.edits import properties
from lineage_setup.errors import UnsafeTargetError, UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.spark import conf_edits
from lineage_setup.integrations.spark.state import parse
from lineage_setup.openlineage_spark import (
    CONTINUE_KEY,
    LISTENER,
    NAMESPACE_KEY,
    SUBS_PREFIX,
    TRANSPORT_PREFIX,
    CannotCompose,
    Composite,
    Target,
    composite,
    destinations,
    refuse_composite,
)

# the comment line above what --add appends; remove reads the names back from it
ADD_COMMENT = "OpenLineage: a composite transport sends to each destination; lineage-setup added {ours}"
MOVED = " and named the transport before {theirs}"
ADD_COMMENT_RE = re.compile(
    r"# OpenLineage: a composite transport sends to each destination; lineage-setup added (\w+)"
    r"(?: and named the transport before (\w+))?"
)


def comment(comp: Composite) -> str:
    return ADD_COMMENT.format(ours=comp.ours) + (MOVED.format(theirs=comp.theirs) if comp.theirs else "")


def added(current: str, conn: Connection, tgt: Target, path: Path) -> tuple[str, list[str]] | None:
    """The file sending to what it sends to now and to ours, and what to tell the user; None when it sends
    nowhere else (then ours alone is written, as without --add)."""
    try:
        conf = parse(current, path)
    except UnsafeTargetError:
        return None  # the plain patch refuses it, with the lines to paste
    own = conf.version_source == "spark.jars.packages"  # the release the file loads: kept, never replaced
    tgt = conf.target if own else tgt
    refuse_composite(tgt, f"{path} loads openlineage-spark" if own else "")
    try:
        comp = composite(conf.values, conn, tgt)
    except CannotCompose as exc:
        raise base.unsafe_edit(path, exc, f"or pass --replace to send to {conn.lineage_url} only") from None
    if comp is None:
        return None
    jar = [] if own else [properties.Setting("spark.jars.packages", tgt.artifact, list_sep=",")]
    settings = [
        *jar,
        properties.Setting("spark.extraListeners", LISTENER, list_sep=","),
        *(properties.Setting(key, value) for key, value in comp.pairs),
    ]
    notes = []
    theirs = conf.values.get(NAMESPACE_KEY)
    if theirs is None:
        settings.append(properties.Setting(NAMESPACE_KEY, conn.namespace))
    elif theirs != conn.namespace:
        notes.append(
            f"{NAMESPACE_KEY} stays {theirs}: openlineage-spark has one namespace for every destination, so "
            f"{conn.lineage_url} gets the jobs under {theirs}, not {conn.namespace}"
        )
    try:
        text = conf_edits.rename(current, comp.renames)
        return properties.apply(text, settings, comment(comp)), notes
    except properties.ValueRejected as exc:
        raise UsageError(f"cannot write spark-defaults.conf: {exc}") from None


def replaced(current: str, conn: Connection, tgt: Target, path: Path) -> tuple[str, list[str]]:
    """The file before ours is written without --add: a composite's sub-transports and its own keys go (ours
    replaces the transport), said when they sent elsewhere."""
    try:
        conf = parse(current, path)
    except UnsafeTargetError:
        return current, []  # the patch refuses it, with the lines to paste
    dropped = sorted({d.lineage_url for d in destinations(conf.values, tgt)} - {conn.lineage_url})
    gone = (CONTINUE_KEY, TRANSPORT_PREFIX + "withThreadPool")  # a composite's own keys
    text = conf_edits.drop_keys(current, lambda key: key.startswith(SUBS_PREFIX) or key in gone)
    said = [f"replaced: events no longer go to {', '.join(dropped)} (--add keeps them)"] if dropped else []
    return text, said
