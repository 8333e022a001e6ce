"""`python -m generator`: the no-change fast path first (cheap imports only), the full CLI otherwise."""

import os
import sys

from generator.fastpath import answer

try:
    code = answer(sys.argv[1:])
    if code is None:
        from generator.cli import main

        code = main()
    sys.stdout.flush()
except BrokenPipeError:  # the reader left (`status | head`): no traceback, the exit status a shell gives SIGPIPE
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
    code = 141
raise SystemExit(code)
