"""`python -m matching rank|dispatch ...`."""

import sys

from matching.cli import main

raise SystemExit(main(sys.argv[1:]))
