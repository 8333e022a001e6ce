"""Shared code of the seed copy's stub functions (empty on purpose: only packaging looks at it)."""
