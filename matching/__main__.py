"""`python -m matching rank|dispatch|bench ...`."""

import sys

from matching.cli import main

raise SystemExit(main(sys.argv[1:]))
