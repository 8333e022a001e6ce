"""What a function's answer to an SQS batch means, per Lambda's partial batch response rules:
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html

Complete success: null, an object without batchItemFailures, a null or empty list. Complete failure: anything
else malformed (not an object, a list that is not a list, an entry without a non-empty itemIdentifier, an
identifier that is not in the batch). Otherwise exactly the listed records failed.
"""

from __future__ import annotations

from collections.abc import Collection


class InvalidBatchResponse(ValueError):
    pass


def failed_message_ids(response: object, batch_ids: Collection[str]) -> set[str]:
    """The message ids that failed; InvalidBatchResponse (a complete failure) when the answer is malformed."""
    if response is None:
        return set()
    if not isinstance(response, dict):
        raise InvalidBatchResponse(f"the response is not an object: {response!r:.80}")
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        raise InvalidBatchResponse("batchItemFailures is not a list")
    failed = set()
    for entry in failures:
        identifier = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier:
            raise InvalidBatchResponse(f"batchItemFailures entry without an itemIdentifier: {entry!r:.80}")
        if identifier not in batch_ids:
            raise InvalidBatchResponse(f"itemIdentifier {identifier!r} is not a message of this batch")
        failed.add(identifier)
    return failed
