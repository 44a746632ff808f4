"""lineage-setup: wire data tools to an OpenLineage backend."""

from __future__ import annotations

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/lineage-setup/lineage-setup"
