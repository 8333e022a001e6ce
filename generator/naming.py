"""How TOML keys become AWS names, Terraform labels and environment variable names. Decided once, here."""

from __future__ import annotations

from generator.spec.model import Function, Queue


def label(key: str) -> str:
    """Terraform label for a TOML key: snake_case."""
    return key.replace("-", "_")


def queue_label(key: str) -> str:
    return label(key)


def dlq_label(key: str) -> str:
    return f"{label(key)}_dlq"


def _fifo_suffix(queue: Queue) -> str:
    return ".fifo" if queue.fifo_queue else ""


def queue_name(key: str, queue: Queue) -> str:
    return queue.name or f"{key}-queue{_fifo_suffix(queue)}"


def dlq_name(key: str, queue: Queue) -> str:
    return queue.dlq.name or f"{key}-dlq{_fifo_suffix(queue)}"


def queue_url_env_var(key: str, queue: Queue) -> str:
    return queue.url_env_var or f"{label(key).upper()}_QUEUE_URL"


def function_name(key: str, function: Function) -> str:
    return function.name or key
