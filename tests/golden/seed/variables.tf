# Hand-written: `make generate` creates this file when it is missing and never overwrites it.

variable "region" {
  description = "AWS region the pipeline is deployed in"
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags applied to every resource through the provider's default_tags"
  type        = map(string)
  default = {
    managed-by = "terraform"
  }
}
