"""The door's touchscreen: python run_gui.py [--demo] [--size 800x480] [--fullscreen] ...

See docs/gui.md; `python run_gui.py --help` lists the options.
"""

import sys

from gui.cli import main

if __name__ == "__main__":
    sys.exit(main())
