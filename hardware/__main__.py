"""python -m hardware: installer tools (see hardware.cli)."""

import sys

from hardware.cli import main

sys.exit(main())
