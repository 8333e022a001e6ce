"""Configuration from environment variables: the only configuration source the functions have.

The generated Terraform sets exactly the variables each function reads; a missing or malformed one is a
deployment mistake, reported by name.
"""

from __future__ import annotations

import os


class ConfigError(RuntimeError):
    """An environment variable is missing or malformed."""


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is required but not set")
    return value


def boolean(name: str, *, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ConfigError(f"environment variable {name}={value!r} must be 'true' or 'false'")


def integer(name: str, *, default: int | None = None, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        if default is None:
            raise ConfigError(f"environment variable {name} is required but not set")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name}={raw!r} must be an integer") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"environment variable {name}={value} must be at least {minimum}")
    return value


def comma_list(name: str) -> list[str]:
    """A required comma-separated list; blanks around items are ignored."""
    items = [item.strip() for item in required(name).split(",")]
    items = [item for item in items if item]
    if not items:
        raise ConfigError(f"environment variable {name} must list at least one item")
    return items
