"""The cost estimate: prices.py (the one price table), estimate.py (the arithmetic), report.py (Markdown)."""
