from __future__ import annotations

from lineage_setup.cli import main

if __name__ == "__main__":
    main()
