"""``python -m coopdocs``: the same as the ``coopdocs`` command."""

import sys

from .cli import main

sys.exit(main())
