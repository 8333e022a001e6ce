"""A function's environment variables: valid, not reserved by Lambda, not colliding, within 4 KB."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator

from generator.naming import (
    ACCOUNT_ID_LENGTH,
    LONGEST_REGION,
    SERVICE_NAME_VARIABLE,
    EnvSource,
    bucket_name_prefix,
    environment_room,
    function_environment,
    function_name,
    longest_prefix,
    queue_name,
    queue_url,
    queue_url_env_var,
    table_name,
)
from generator.problems import Path, Problem, error
from generator.rules.common import rule
from generator.spec.model import Function, Spec

# Lambda sets these itself and rejects a function that defines them.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_ENV_VARS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})


@rule
def environment_variables_are_valid(spec: Spec) -> Iterator[Problem]:
    """A function's environment holds the URL of every queue it sends to, the names of its tables and
    buckets, the sender address and its own `environment` table; names must not collide with each other nor
    with Lambda's reserved variables."""
    for key, queue in spec.queues.items():
        name = queue_url_env_var(key, queue)
        if name in RESERVED_ENV_VARS:
            default = queue_url_env_var(key, queue.model_copy(update={"url_env_var": None}))
            yield error(("queues", key, "url_env_var"),
                        f"{name} is reserved by Lambda, which sets it in every function",
                        f"choose another name, e.g. {default} (the default)")
    for kind, items in (("tables", spec.tables), ("buckets", spec.buckets)):
        for key, item in items.items():
            if item.env_var in RESERVED_ENV_VARS:
                yield error((kind, key, "env_var"), f"{item.env_var} is reserved by Lambda, which sets it in "
                            "every function", "choose another name")
    if spec.email is not None and spec.email.env_var in RESERVED_ENV_VARS:
        yield error(("email", "env_var"), f"{spec.email.env_var} is reserved by Lambda, which sets it in every "
                    "function", "choose another name")
    for fn_key, fn in spec.functions.items():
        for name in fn.environment:
            if name in RESERVED_ENV_VARS:
                yield error(("functions", fn_key, "environment", name),
                            f"{name} is reserved by Lambda, which sets it itself and rejects the function",
                            "remove it (the code can still read it), or choose another name")
        for name, sources in function_environment(spec, fn).items():
            for first, later in itertools.pairwise(sources):
                yield _env_collision(fn_key, fn, name, first, later)


def _env_collision(fn_key: str, fn: Function, name: str, first: EnvSource, later: EnvSource) -> Problem:
    if later.kind == "setting" and first.kind == "queue":
        return error(("functions", fn_key, "environment", name),
                     f"{name} is already set to the URL of queue '{first.key}'",
                     "remove it from environment, or rename the queue's url_env_var")
    if later.kind == "queue" and first.kind == "queue":
        return error(("functions", fn_key, "sends_to", fn.sends_to.index(later.key)),
                     f"queues '{first.key}' and '{later.key}' would both set the variable {name}",
                     f"give queues.{later.key} another url_env_var")
    paths: dict[str, Path] = {
        "queue": ("functions", fn_key, "sends_to", fn.sends_to.index(later.key) if later.key in fn.sends_to else 0),
        "table": ("functions", fn_key, "tables", later.key),
        "bucket": ("functions", fn_key, "buckets", later.key),
        "email": ("functions", fn_key, "sends_email"),
        "setting": ("functions", fn_key, "environment", name),
    }
    return error(paths[later.kind], f"{name} would be set by both {_describe(first)} and {_describe(later)}",
                 "rename one of them (url_env_var / env_var), or drop the setting")


def _describe(source: EnvSource) -> str:
    return {"setting": "its environment table", "email": "[email]"}.get(source.kind, f"{source.kind} '{source.key}'")

# Lambda: "The total size of all environment variables doesn't exceed 4 KB", measured on the JSON of the
# variables map: its error quotes the "String measured", e.g. {"LOG_LEVEL":"INFO","QUEUE_URL":"https://..."}.
ENVIRONMENT_LIMIT = 4096


def largest_environment(spec: Spec, fn_key: str, fn: Function) -> dict[str, str]:
    """The function's environment variables with every value at its longest: queue URLs and bucket names in
    the longest region, names with the longest environment prefix the spec allows."""
    prefix = longest_prefix(spec)
    values: dict[str, Callable[[str], str]] = {
        "queue": lambda key: queue_url(LONGEST_REGION, ACCOUNT_ID_LENGTH, prefix + queue_name(key, spec.queues[key])),
        "table": lambda key: prefix + table_name(spec.project.name, key, spec.tables[key]),
        "bucket": lambda key: (f"{prefix}{bucket_name_prefix(spec.project.name, key)}-"
                               f"{'0' * ACCOUNT_ID_LENGTH}-{LONGEST_REGION}"),
        "email": lambda _key: spec.email.sender if spec.email is not None else "",
        "setting": lambda name: fn.environment[name],
    }
    variables = {SERVICE_NAME_VARIABLE: function_name(fn_key, fn)}
    for name, sources in function_environment(spec, fn).items():
        variables[name] = values[sources[0].kind](sources[0].key)
    return variables


def environment_size(variables: dict[str, str]) -> int:
    """Bytes of the variables as Lambda measures them: compact JSON, UTF-8."""
    return len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


@rule
def environment_fits(spec: Spec) -> Iterator[Problem]:
    """Lambda rejects a function whose environment variables exceed 4 KB, measured as the JSON of the
    variables map; queue URLs and names count at their longest (any region, any allowed environment).
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"""
    for fn_key, fn in spec.functions.items():
        size = environment_size(largest_environment(spec, fn_key, fn))
        if size > ENVIRONMENT_LIMIT:
            room = environment_room(spec).length
            yield error(("functions", fn_key, "environment"),
                        f"the environment can take {size} bytes (its variables as JSON, with the queue URLs of "
                        f"{LONGEST_REGION}" + (f" and a {room}-character environment" if room else "")
                        + f"); Lambda allows {ENVIRONMENT_LIMIT} in total",
                        "move large settings to SSM Parameter Store or S3 and pass their names instead")
