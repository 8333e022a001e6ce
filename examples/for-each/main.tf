# A root of your own that instantiates the generated module more than once: one instance per environment in
# this account and region (for_each), and one more in another region through an aliased provider. Nothing here
# is generated: copy it into your own repository and point `source` at the module (docs/guide/terraform.md).
#
#   cd examples/for-each && terraform init && terraform plan

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 7.0.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias  = "disaster_recovery"
  region = var.disaster_recovery_region

  default_tags {
    tags = var.tags
  }
}

module "pipeline" {
  source   = "../../terraform/modules/pipeline"
  for_each = toset(["staging", "prod"])

  environment = each.key
  tags        = { environment = each.key }
  # SES identities belong to the account and region: one environment manages the sender, the other sends from it.
  manage_email_identity = each.key == "prod"
}

module "pipeline_disaster_recovery" {
  source = "../../terraform/modules/pipeline"
  providers = {
    aws = aws.disaster_recovery
  }

  environment = "dr"
  tags        = { environment = "dr" }
}

output "queue_urls" {
  description = "Each instance's queue URLs, by environment and queues.toml key"
  value = merge(
    { for environment, instance in module.pipeline : environment => instance.queue_urls },
    { dr = module.pipeline_disaster_recovery.queue_urls },
  )
}
