# Hand-written: `make generate` creates this file when it is missing and never overwrites it.
# (The generated environment.tf declares `environment`; email.tf, when there is a sender, `manage_email_identity`.)

variable "region" {
  description = "AWS region to deploy to. Unset (null): the provider's standard configuration decides (AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)"
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource that supports tags, through the provider's default_tags"
  type        = map(string)
  default = {
    managed-by = "terraform"
  }
}
