"""The pipeline key's policy: who administers the key, and what the account's IAM policies may grant on it.

Two shapes, chosen by the module's `key_administrators` variable when Terraform runs (docs/guide/security.md, "The
pipeline key: who administers it", says what lock-out risk each carries):

- none named (the default): AWS's default key policy, the account root gets `kms:*`, so IAM policies decide
  everything about the key, administration included;
- administrators named: they alone manage the key (the key-administrator statement of the policy the KMS console
  writes), and IAM policies of the account may grant only its use: the functions' roles (each only through the
  services it uses, kms:ViaService) and the deployer's uploads and signing jobs through S3.

Either way CloudWatch alarms and CloudWatch Logs get their own statements (templates/kms.tf.j2).
"""

from __future__ import annotations

from generator.plan.model import KeyPolicyPlan

# The KMS console's "Allow access for Key Administrators" statement: every management action (policy, grants,
# rotation, tags, aliases, deletion) and none that encrypts or decrypts.
ADMINISTRATOR_ACTIONS = (
    "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*",
    "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:Update*",
)
# The key's use, which IAM policies must still be able to grant: the roles' statements (generator/plan/iam.py)
# and the deployer's (Terraform uploads zips to the SSE-KMS artifacts bucket, Signer writes the signed copies).
ACCOUNT_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def key_policy_plan() -> KeyPolicyPlan:
    return KeyPolicyPlan(administrator_actions=ADMINISTRATOR_ACTIONS, account_use_actions=ACCOUNT_USE_ACTIONS)
