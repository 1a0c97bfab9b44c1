"""`python -m app.cli`: the `faultline` command, as the tests and benchmarks start it."""

import sys

from app.cli import main

sys.exit(main())
