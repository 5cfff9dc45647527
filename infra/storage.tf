# Media: private, encrypted with a KMS key, CORS for browser uploads only, expired by lifecycle.
# SPA: private, served by the gateway's object_storage integration (one origin for app and API: no CORS for the
# API, no public bucket, and the SPA's client-side routes fall back to index.html through error_object).
resource "yandex_kms_symmetric_key" "media" {
  name              = "${var.name}-media"
  description       = "Encrypts recordings at rest"
  default_algorithm = "AES_256"
  rotation_period   = "8760h"
}

locals {
  spa_origin = var.spa_origin != "" ? var.spa_origin : "https://${yandex_api_gateway.api.domain}"
}

resource "yandex_storage_bucket" "media" {
  bucket     = local.media_bucket
  folder_id  = var.folder_id
  access_key = yandex_iam_service_account_static_access_key.storage_admin.access_key
  secret_key = yandex_iam_service_account_static_access_key.storage_admin.secret_key

  anonymous_access_flags {
    read        = false
    list        = false
    config_read = false
  }

  versioning {
    enabled = false # uploads are write-once; versions would keep deleted recordings around
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = yandex_kms_symmetric_key.media.id
        sse_algorithm     = "aws:kms"
      }
    }
  }

  cors_rule {
    allowed_origins = [local.spa_origin]
    allowed_methods = ["PUT", "GET", "HEAD"]
    allowed_headers = ["Content-Type", "Content-Length", "Range"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart"
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1
  }

  lifecycle_rule {
    id      = "expire-recordings"
    enabled = true
    prefix  = "uploads/"
    expiration {
      days = var.media_retention_days
    }
  }

  logging {
    target_bucket = yandex_storage_bucket.access_logs.id
    target_prefix = "media/"
  }
}

resource "yandex_storage_bucket" "spa" {
  bucket     = "${var.name}-web-${var.folder_id}"
  folder_id  = var.folder_id
  access_key = yandex_iam_service_account_static_access_key.storage_admin.access_key
  secret_key = yandex_iam_service_account_static_access_key.storage_admin.secret_key

  anonymous_access_flags {
    read        = false
    list        = false
    config_read = false
  }

  versioning {
    enabled = true # a bad deploy of the app can be rolled back
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = yandex_kms_symmetric_key.media.id
        sse_algorithm     = "aws:kms"
      }
    }
  }

  logging {
    target_bucket = yandex_storage_bucket.access_logs.id
    target_prefix = "web/"
  }
}

resource "yandex_storage_bucket" "access_logs" {
  bucket     = "${var.name}-logs-${var.folder_id}"
  folder_id  = var.folder_id
  access_key = yandex_iam_service_account_static_access_key.storage_admin.access_key
  secret_key = yandex_iam_service_account_static_access_key.storage_admin.secret_key

  anonymous_access_flags {
    read        = false
    list        = false
    config_read = false
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        kms_master_key_id = yandex_kms_symmetric_key.media.id
        sse_algorithm     = "aws:kms"
      }
    }
  }

  lifecycle_rule {
    id      = "expire-access-logs"
    enabled = true
    expiration {
      days = 90
    }
  }
}
