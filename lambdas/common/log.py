"""Structured JSON logs (Powertools Logger): one JSON object per line, with the job id once it is known.

Service name from POWERTOOLS_SERVICE_NAME and level from LOG_LEVEL (both read by Powertools itself).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger


def logger_for(function_name: str) -> Logger:
    """The function's logger; POWERTOOLS_SERVICE_NAME wins over the default name when set."""
    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or function_name)
