"""`python -m bench live|stats|load|feed|alerts|match|races ...`."""

import sys

from bench.cli import main

raise SystemExit(main(sys.argv[1:]))
