variable "cloud_id" {
  type        = string
  description = "Yandex Cloud id."
}

variable "folder_id" {
  type        = string
  description = "Folder that holds every resource of this service."
}

variable "zone" {
  type    = string
  default = "ru-central1-a"
}

variable "name" {
  type        = string
  default     = "transcribe"
  description = "Prefix of every resource name."
}

variable "assemblyai_api_key" {
  type        = string
  sensitive   = true
  description = "AssemblyAI API key; stored only in Lockbox."
}

variable "assemblyai_base_url" {
  type    = string
  default = "https://api.assemblyai.com"
}

variable "public_base_url" {
  type        = string
  default     = ""
  description = "The API's public URL (a custom domain, or the gateway domain: deploy.sh fills it after the first apply)."
}

variable "spa_origin" {
  type        = string
  default     = ""
  description = "Origin the browser uploads from (the SPA's URL); defaults to the gateway's own domain."
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
  description = "Uploaded recordings are deleted by the bucket lifecycle after this many days."
}

variable "db_preset" {
  type    = string
  default = "s3-c2-m8"
}

variable "db_disk_gb" {
  type    = number
  default = 20
}

variable "deployer_cidrs" {
  type        = list(string)
  default     = []
  description = "Networks allowed to reach PostgreSQL directly (for migrations from the deployer's machine)."
}

variable "log_retention" {
  type    = string
  default = "168h"
}
