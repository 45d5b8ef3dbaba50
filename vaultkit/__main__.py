from __future__ import annotations

from vaultkit.cli.main import main

if __name__ == "__main__":
    main()
