"""CloudWatch Logs' AssociateKmsKey and DisassociateKmsKey, which moto does not answer.

A log group created with a key reports it (moto keeps `kmsKeyId` from CreateLogGroup), but one that exists
before the pipeline's apply (an adopted `/aws/lambda/<function>`, created by the old architecture) gets the
pipeline's key through AssociateKmsKey, and Terraform retries the unanswered call until it gives up: the apply of
an adopted estate would never finish. AWS associates the key with the group (DescribeLogGroups then reports it
as `kmsKeyId`) or, without a key, encrypts the group's new events with its own key again.
"""

from __future__ import annotations

from generator.local.emulator.patch import Patch, patch


@patch("CloudWatch Logs: AssociateKmsKey / DisassociateKmsKey set and clear a log group's kmsKeyId")
def _log_group_keys() -> None:
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def group(response: LogsResponse) -> object:
        found = response.logs_backend.groups.get(response._get_param("logGroupName"))
        if found is None:
            raise ResourceNotFoundException()
        return found

    def associate_kms_key(self: LogsResponse) -> str:
        group(self).kms_key_id = self._get_param("kmsKeyId")  # type: ignore[attr-defined]
        return ""

    def disassociate_kms_key(self: LogsResponse) -> str:
        group(self).kms_key_id = None  # type: ignore[attr-defined]
        return ""

    LogsResponse.associate_kms_key = associate_kms_key  # type: ignore[attr-defined]
    LogsResponse.disassociate_kms_key = disassociate_kms_key  # type: ignore[attr-defined]


PATCHES: tuple[Patch, ...] = (_log_group_keys,)
