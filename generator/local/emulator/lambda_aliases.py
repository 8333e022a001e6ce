"""Function URLs as Lambda keeps them: one per qualifier, attached to the alias it names.

Every generated function is reached through its `live` alias: its function URL is on the alias, and `rollback`
moves the alias to an earlier version. moto keeps one function URL per function whatever the Qualifier. (A mapping
on an alias keeps the alias's ARN through lambda_mappings.py.)
"""

from __future__ import annotations

import json
from typing import Any

from generator.local.emulator.patch import Patch, patch


@patch("Lambda: a function URL belongs to its Qualifier (an alias): Get/Update/Delete name it, FunctionArn has it")
def _function_urls_per_qualifier() -> None:
    from moto.awslambda.exceptions import GenericResourcNotFound
    from moto.awslambda.models import FunctionUrlConfig
    from moto.awslambda.responses import LambdaResponse

    def target(response: LambdaResponse) -> tuple[Any, str | None]:
        from urllib.parse import unquote

        name = unquote(response.path.split("/")[-2])
        qualifier = response.querystring.get("Qualifier", [None])[0]
        if ":" in name and not name.startswith("arn:"):
            name, qualifier = name.split(":", 1)
        function = response.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
        return function, (None if qualifier in (None, "", "$LATEST") else qualifier)

    def configs(function: Any) -> dict[str | None, FunctionUrlConfig]:
        if not hasattr(function, "url_configs_by_qualifier"):
            function.url_configs_by_qualifier = {}
        found: dict[str | None, FunctionUrlConfig] = function.url_configs_by_qualifier
        return found

    def describe(config: FunctionUrlConfig, function: Any, qualifier: str | None) -> dict[str, Any]:
        found = config.to_dict()
        found["FunctionArn"] = f"{function.function_arn}:{qualifier}" if qualifier else function.function_arn
        return found

    def existing(function: Any, qualifier: str | None) -> FunctionUrlConfig:
        config = configs(function).get(qualifier)
        if config is None:
            raise GenericResourcNotFound()
        return config

    def create_function_url_config(self: LambdaResponse) -> Any:
        function, qualifier = target(self)
        aliases = self.backend._lambdas._get_function_aliases(function.function_name)
        if qualifier is not None and qualifier not in aliases:
            raise GenericResourcNotFound()  # a function URL's qualifier is an alias that exists
        if qualifier in configs(function):
            return 409, {"status": 409, "x-amzn-ErrorType": "ResourceConflictException"}, json.dumps({
                "Type": "User", "message": f"Failed to create function url config for [functionArn = "
                                           f"{function.function_arn}{':' + qualifier if qualifier else ''}]. "
                                           "Error message:  FunctionUrlConfig exists for this Lambda function"})
        config = FunctionUrlConfig(function=function, config=self.json_body)
        configs(function)[qualifier] = config
        return 201, {"status": 201}, json.dumps(describe(config, function, qualifier))

    def get_function_url_config(self: LambdaResponse) -> Any:
        function, qualifier = target(self)
        return 200, {"status": 200}, json.dumps(describe(existing(function, qualifier), function, qualifier))

    def update_function_url_config(self: LambdaResponse) -> Any:
        function, qualifier = target(self)
        config = existing(function, qualifier)
        config.update(self.json_body)
        return 200, {"status": 200}, json.dumps(describe(config, function, qualifier))

    def delete_function_url_config(self: LambdaResponse) -> Any:
        function, qualifier = target(self)
        existing(function, qualifier)
        del configs(function)[qualifier]
        return 204, {"status": 204}, ""

    LambdaResponse.create_function_url_config = create_function_url_config
    LambdaResponse.get_function_url_config = get_function_url_config
    LambdaResponse.update_function_url_config = update_function_url_config
    LambdaResponse.delete_function_url_config = delete_function_url_config


PATCHES: tuple[Patch, ...] = (_function_urls_per_qualifier,)
