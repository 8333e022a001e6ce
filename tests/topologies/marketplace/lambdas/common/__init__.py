"""Shared code of the marketplace test functions (empty on purpose: only packaging looks at it)."""
