"""`python -m generator diff BASE_REF`: the topology change between a git ref and the working tree, as Markdown
for a pull-request comment (diff.py reads both sides, compare.py finds the changes, markdown.py words them)."""
