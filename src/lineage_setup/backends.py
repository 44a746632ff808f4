"""Backend presets: what each OpenLineage backend expects, with where each fact comes from.

`--backend` picks one; every integration renders from it (the endpoint path, whether a key is sent,
compression), `verify` tries the known paths on a 404, and `listen --lint` checks events for what the
backend needs. A fact the sources do not confirm is marked so, and stays an input (`--endpoint`, ...).

| backend      | URL                          | endpoint                                    | auth   | needs         |
|--------------|------------------------------|---------------------------------------------|--------|---------------|
| astro        | from Organization settings   | api/v1/lineage                              | bearer |               |
| marquez      | your API server              | api/v1/lineage                              | none   | inputs+outputs|
| datahub      | your GMS server              | openapi/openlineage/api/v1/lineage          | bearer |               |
| openmetadata | your server                  | api/v1/openlineage/lineage                  | bearer | inputs+outputs|
| datadog      | https://data-obs-intake.SITE | api/v1/lineage (gzip)                       | bearer | jobType facet |
| atlan        | https://INSTANCE.atlan.com   | events/openlineage/CONNECTOR/api/v1/lineage | bearer | ns=connection |
| custom       | any                          | api/v1/lineage                              | bearer |               |

Each Preset's `docs` names the page (or source file) that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Auth = Literal["bearer", "none"]
About = Literal["url", "endpoint", "gzip"]


@dataclass(frozen=True)
class Unconfirmed:
    """A fact the sources did not confirm: said beside any value built from it, and where to see the true one."""

    about: About  # what it shapes: the URL a domain becomes, the endpoint path, compression
    fact: str
    note: str  # a few words for the answers summary
    where: str = ""  # where the user can read the exact value, when the backend shows it


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    endpoint: str  # the path the client posts to, without a leading slash
    auth: Auth
    url_form: str  # what the URL looks like, for help and prompts
    docs: str  # the page that says so
    domain_url: str | None = None  # how --domain becomes the URL ("{domain}" is replaced)
    gzip: bool = False  # the backend documents gzip-compressed events
    job_facets: tuple[str, ...] = ()  # job facets a run event must carry to be processed
    needs_io: bool = False  # a run without inputs and outputs shows no lineage there
    namespace_hint: str = ""  # what the job namespace must be, when the backend says
    max_event_bytes: int | None = None
    unconfirmed: tuple[Unconfirmed, ...] = ()  # facts the sources did not confirm (said in help and output)

    def doubt(self, about: About) -> Unconfirmed | None:
        """The unconfirmed fact behind this part of the connection, if any."""
        return next((fact for fact in self.unconfirmed if fact.about == about), None)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "astro",
            "Astro (Astronomer)",
            "api/v1/lineage",
            "bearer",
            "the OpenLineage URL from https://cloud.<domain>/settings",
            "https://www.astronomer.io/docs/astro/observe-openlineage",
            domain_url="https://api.{domain}",
            unconfirmed=(
                Unconfirmed(
                    "url",
                    "the https://api.<domain> form",
                    "unconfirmed form, see Organization settings",
                    "Astro shows the exact OpenLineage URL in your Organization settings (https://cloud.<domain>/settings)",
                ),
            ),
        ),
        Preset(
            "marquez",
            "Marquez",
            "api/v1/lineage",
            "none",
            "http(s)://<your-marquez-api-host>:<port> (Marquez's API, not its web UI)",
            "https://github.com/MarquezProject/marquez/blob/0.51.1/api/src/main/java/marquez/api/OpenLineageResource.java",
            needs_io=True,
        ),
        Preset(
            "datahub",
            "DataHub",
            "openapi/openlineage/api/v1/lineage",
            "bearer",
            "https://<your-datahub-gms> (the GMS server, not the web UI)",
            "https://github.com/datahub-project/datahub/issues/11271",
            unconfirmed=(Unconfirmed("gzip", "gzip support", "gzip support unconfirmed"),),
        ),
        Preset(
            "openmetadata",
            "OpenMetadata",
            "api/v1/openlineage/lineage",
            "bearer",
            "https://<your-openmetadata-server>",
            "https://docs.open-metadata.org/latest/how-to-guides/data-lineage/openlineage",
            needs_io=True,
            unconfirmed=(Unconfirmed("gzip", "gzip support", "gzip support unconfirmed"),),
        ),
        Preset(
            "datadog",
            "Datadog",
            "api/v1/lineage",
            "bearer",
            "https://data-obs-intake.<site>, e.g. https://data-obs-intake.datadoghq.com",
            "https://docs.datadoghq.com/data_observability/jobs_monitoring/openlineage/",
            domain_url="https://data-obs-intake.{domain}",
            gzip=True,
            job_facets=("jobType",),
        ),
        Preset(
            "atlan",
            "Atlan",
            "events/openlineage/generic-openlineage/api/v1/lineage",
            "bearer",
            "https://<instance>.atlan.com",
            "https://docs.atlan.com/apps/connectors/lineage/generic-openlineage/faq/events-conventions-openlineage",
            domain_url="https://{domain}",
            namespace_hint="the name of the OpenLineage connection you created in Atlan",
            unconfirmed=(
                Unconfirmed(
                    "endpoint",
                    "the connector part of the path (generic-openlineage; Airflow's is airflow, Spark's spark)",
                    "connector part of the path unconfirmed",
                ),
            ),
        ),
        Preset(
            "custom",
            "any OpenLineage HTTP endpoint",
            "api/v1/lineage",
            "bearer",
            "https://<host>[:port]",
            "https://openlineage.io/docs/client/python",
        ),
    )
}
NAMES = tuple(PRESETS)
DATAPLEX_MAX_EVENT_BYTES = 5 * 1024 * 1024  # https://cloud.google.com/dataplex/docs/open-lineage


def get(name: str) -> Preset:
    return PRESETS[name]


def domain_hint(preset: Preset, source: str) -> str:
    """What a failed verify adds when the URL was built from a domain (`source`: --domain, ...): where the
    exact URL is shown, and to pass it with --url."""
    source = "your answer" if source == "prompt" else source
    doubt = preset.doubt("url")
    if doubt is not None and doubt.where:
        return f"the URL was built from {source} in {doubt.fact} (unconfirmed): {doubt.where}; pass it with --url"
    form = (preset.domain_url or "").format(domain="<domain>")
    return f"the URL was built from {source} as {form}; if yours differs, pass the exact URL with --url"


def known_paths() -> tuple[str, ...]:
    """Every endpoint path a preset knows, once each (verify tries them on a 404)."""
    return tuple(dict.fromkeys(preset.endpoint for preset in PRESETS.values()))


def backend_of(endpoint: str) -> Preset | None:
    """The preset whose path this is (the first, for the shared api/v1/lineage)."""
    return next((preset for preset in PRESETS.values() if preset.endpoint == endpoint), None)
