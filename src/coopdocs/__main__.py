"""``python -m coopdocs``: the same as the ``coopdocs`` command."""

import sys

from coopdocs.cli import main

sys.exit(main())
