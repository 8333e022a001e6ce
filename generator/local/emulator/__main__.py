"""`python -m generator.local.emulator STATE_DIR`: the emulator process (started by `up`)."""

import sys
from pathlib import Path

from generator.local.emulator.server import serve

serve(Path(sys.argv[1]))
