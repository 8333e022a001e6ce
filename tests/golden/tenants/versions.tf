# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Both majors: 5.100.0 is what runs here (recorded in .terraform.lock.hcl); 6.x is checked against the
      # provider's upgrade guide and in CI (docs/guide/terraform.md, "Provider versions").
      version = ">= 5.100.0, < 7.0.0"
    }
  }
}
