"""Stub of the tenants topology's clicks function: its golden depends on queues.toml only."""


def lambda_handler(event, context):
    return {"batchItemFailures": []}
