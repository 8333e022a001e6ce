"""The generated docs beside terraform/: docs/runbook.md and docs/topology.md (render.py), decided from the
spec and the plan (runbook.py, topology.py, commands.py) and printed by templates/*.md.j2."""
