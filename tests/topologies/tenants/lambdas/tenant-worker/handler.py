"""Stub of the tenants topology's tenant-worker function: its golden depends on queues.toml only."""


def lambda_handler(event, context):
    return {"batchItemFailures": []}
