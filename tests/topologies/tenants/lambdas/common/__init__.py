"""Shared code of the tenants test functions (empty on purpose: only packaging looks at it)."""
