"""``python -m dashboard.cli``: the ``foodshed`` command."""

import sys

from .main import main

sys.exit(main())
