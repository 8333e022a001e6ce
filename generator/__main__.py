"""`python -m generator`: the no-change fast path first (cheap imports only), the full CLI otherwise."""

import sys

from generator.fastpath import answer

code = answer(sys.argv[1:])
if code is None:
    from generator.cli import main

    code = main()
raise SystemExit(code)
