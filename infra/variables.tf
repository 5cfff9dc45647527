variable "cloud_id" {
  type        = string
  description = "Yandex Cloud id (`yc config get cloud-id`)."
}

variable "folder_id" {
  type        = string
  description = "Folder that holds every resource of this service (`yc config get folder-id`)."
}

variable "zone" {
  type        = string
  default     = "ru-central1-a"
  description = "Default availability zone (the database host lives here unless db_zones says otherwise)."
}

variable "name" {
  type        = string
  default     = "transcribe"
  description = "Prefix of every resource name; change it to run a second copy in the same folder."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name: lowercase letters, digits and dashes, starting with a letter (bucket and account names derive from it)."
  }
}

variable "assemblyai_api_key" {
  type        = string
  sensitive   = true
  description = "AssemblyAI API key; stored only in Lockbox (and, encrypted, in the Terraform state)."
}

variable "assemblyai_base_url" {
  type    = string
  default = "https://api.assemblyai.com"
}

variable "custom_domain" {
  type        = string
  default     = ""
  description = "Optional domain for the API and web app (e.g. transcribe.example.com); needs custom_domain_certificate_id."
}

variable "custom_domain_certificate_id" {
  type        = string
  default     = ""
  description = "Certificate Manager certificate for custom_domain."
}

variable "public_base_url" {
  type        = string
  default     = ""
  description = <<-EOT
    The API's public URL, which AssemblyAI's webhooks call back. Leave empty: with custom_domain it is
    https://<custom_domain>; otherwise deploy.sh passes the gateway's own URL (read from the state, or from a first
    apply on the very first deploy). Set it only to point webhooks somewhere else.
  EOT
}

variable "extra_cors_origins" {
  type        = list(string)
  default     = []
  description = "Other origins allowed to upload to the media bucket (e.g. http://localhost:5173 for a dev SPA)."
}

variable "max_upload_bytes" {
  type    = number
  default = 2147483648
}

variable "max_parallel_transcriptions" {
  type    = number
  default = 5
}

variable "media_retention_days" {
  type        = number
  default     = 30
  description = "Uploaded recordings (uploads/ in the media bucket) are deleted by the bucket lifecycle after this many days."

  validation {
    condition     = var.media_retention_days >= 1
    error_message = "media_retention_days must be at least 1."
  }
}

variable "db_preset" {
  type        = string
  default     = "s3-c2-m8"
  description = "Managed PostgreSQL host class (a burstable b3-c1-m4 is enough to try the service)."
}

variable "db_disk_gb" {
  type    = number
  default = 20
}

variable "db_zones" {
  type        = list(string)
  default     = []
  description = "Zones of the database hosts; one host in var.zone by default, list two or three zones for HA."
}

variable "deployer_cidrs" {
  type        = list(string)
  default     = []
  description = <<-EOT
    Networks allowed to reach PostgreSQL from outside the cloud (port 6432), e.g. ["203.0.113.7/32"]. deploy.sh runs
    the Alembic migrations from the deployer's machine, so this is needed for deploy.sh to finish; while it is empty
    the database has no public address at all.
  EOT
}

variable "network_cidrs" {
  type        = map(string)
  default     = { "ru-central1-a" = "10.60.1.0/24", "ru-central1-b" = "10.60.2.0/24", "ru-central1-d" = "10.60.3.0/24" }
  description = "One subnet per availability zone: functions attached to a network need a subnet in every zone."
}

variable "function_source_cidrs" {
  type        = list(string)
  default     = ["198.19.0.0/16"]
  description = "Where functions attached to the network connect from (Cloud Functions' service subnets)."
}

variable "log_retention" {
  type        = string
  default     = "168h"
  description = "How long the log group keeps function and gateway logs."
}
