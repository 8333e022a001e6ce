# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
