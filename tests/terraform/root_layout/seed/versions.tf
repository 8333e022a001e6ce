# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The range that is tested: 5.100.0 (recorded in .terraform.lock.hcl). 6.0 is a major release with
      # breaking changes the generated configuration has not been tested against.
      version = ">= 5.100.0, < 6.0.0"
    }
  }
}
