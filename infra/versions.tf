# Provider pins and remote state.
#
# State lives in an Object Storage bucket through Terraform's S3 backend. The bucket is created once by hand before
# the first `terraform init` (README: "Bootstrap the state bucket"); its name and the static key of the account that
# may write it are passed by deploy.sh as -backend-config, so nothing account-specific is committed. Terraform >= 1.6
# is needed for the `endpoints` form of the S3 backend, >= 1.9 for a validation that reads another variable.
terraform {
  required_version = ">= 1.9"

  required_providers {
    yandex = {
      source  = "yandex-cloud/yandex"
      version = "~> 0.221" # yandex_function_iam_member appeared in 0.221.0
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }

  backend "s3" {
    key                         = "transcribe/terraform.tfstate"
    region                      = "ru-central1"
    endpoints                   = { s3 = "https://storage.yandexcloud.net" }
    skip_region_validation      = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_s3_checksum            = true
  }
}

# Authenticates with YC_TOKEN (deploy.sh sets it from `yc iam create-token`) or YC_SERVICE_ACCOUNT_KEY_FILE.
provider "yandex" {
  cloud_id  = var.cloud_id
  folder_id = var.folder_id
  zone      = var.zone
}
