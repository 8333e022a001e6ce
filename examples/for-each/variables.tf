variable "region" {
  description = "The region of the staging and prod instances (null: the provider's standard chain decides)"
  type        = string
  default     = null
}

variable "disaster_recovery_region" {
  description = "The region of the disaster-recovery instance"
  type        = string
  default     = "us-west-2"
}

variable "tags" {
  description = "Tags on every resource of every instance, through each provider's default_tags"
  type        = map(string)
  default     = { managed-by = "terraform" }
}
