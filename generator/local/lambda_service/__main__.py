"""`python -m generator.local.lambda_service STATE_DIR`: the Lambda service process (started by `up`)."""

import sys
from pathlib import Path

from generator.local.lambda_service.runner import main

main(Path(sys.argv[1]))
