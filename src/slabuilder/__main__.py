"""``python -m slabuilder``."""

import sys

from slabuilder.cli import main

sys.exit(main())
