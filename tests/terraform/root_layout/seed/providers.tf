# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

provider "aws" {
  # null unless set: an AWS_REGION (or profile region) you chose is then what the provider uses.
  region = var.region

  default_tags {
    tags = merge(var.tags, var.environment == "" ? {} : { environment = var.environment })
  }
}
