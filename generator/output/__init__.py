"""Writing terraform/ and docs/ without losing anything: the hash header of every generated file (header.py), the
previous rendering read back (previous.py), moved blocks and queue losses between two renderings (moves.py), the
refusals (guard.py) and the journaled write (journal.py). The rules: docs/guide/generate.md."""
