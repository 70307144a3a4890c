"""``python -m insurrules``: the command-line interface."""

from insurrules.cli import main

raise SystemExit(main())
