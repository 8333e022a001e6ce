# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Lower bound only: tested with 5.100.0 and valid for 6.x.
      version = ">= 5.100.0"
    }
  }
}
