# Three buckets:
#  * media — recordings: private, encrypted with its own KMS key, reachable by the media account only. The browser
#    PUTs to it with presigned URLs (hence CORS for the app's origin only); upload_trigger reacts to uploads/; the
#    lifecycle deletes recordings and abandoned multipart uploads.
#  * web   — the built SPA: private, read by the gateway (object_storage integration, the API's own origin) and
#    written by deploy.sh as the deployer. Not KMS-encrypted: it holds only files every visitor downloads anyway, and
#    encryption would add KMS grants for the gateway and the deployer whose exact roles the docs disagree on.
#  * keys  — the access tokens' public keys (jwks.json, .well-known/openid-configuration), written by deploy.sh and
#    read anonymously by the gateway's JWT authorizer: public read (no listing), not encrypted (anonymous reads of
#    SSE-KMS objects cannot be decrypted).
# Buckets are managed with the deployer's IAM token (the provider's default for buckets), so no storage-admin key
# exists anywhere; folder_id is set because a user account's token does not imply a folder.
locals {
  # Named, not referenced: functions need it in their environment, and the bucket's CORS needs the gateway's domain.
  media_bucket = "${var.name}-media-${var.folder_id}"
  spa_bucket   = "${var.name}-web-${var.folder_id}"
  keys_bucket  = "${var.name}-keys-${var.folder_id}"
  # The origins the SPA is served from: the gateway's domain, and the custom domain or public URL when there is one.
  app_origins = distinct(compact(concat(
    ["https://${yandex_api_gateway.api.domain}"],
    [var.custom_domain != "" ? "https://${var.custom_domain}" : ""],
    [can(regex("^https?://[^/]+", local.public_base_url)) ? regex("^https?://[^/]+", local.public_base_url) : ""],
    var.extra_cors_origins,
  )))
}

resource "yandex_kms_symmetric_key" "media" {
  name              = "${var.name}-media"
  description       = "Encrypts recordings in the media bucket"
  default_algorithm = "AES_256"
  rotation_period   = "8760h"
}

resource "yandex_storage_bucket" "media" {
  bucket    = local.media_bucket
  folder_id = var.folder_id

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

  # Only what the SPA does: PUT the file to a presigned URL (Content-Type is signed), and GET/HEAD it back.
  cors_rule {
    allowed_origins = local.app_origins
    allowed_methods = ["PUT", "GET", "HEAD"]
    allowed_headers = ["Content-Type", "Range"]
    expose_headers  = ["ETag", "Content-Length", "Content-Range"]
    max_age_seconds = 3600
  }

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart"
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1
  }

  # Recordings live under uploads/ (what the browser PUT) and, once accepted, under media/ (the server-side copy no
  # presigned URL can reach: common/domain/uploads/keys.py). Both expire after media_retention_days.
  lifecycle_rule {
    id      = "expire-recordings"
    enabled = true
    filter {
      prefix = "uploads/" # `filter`, not the rule-level `prefix` the provider deprecates
    }
    expiration {
      days = var.media_retention_days
    }
  }

  lifecycle_rule {
    id      = "expire-accepted-recordings"
    enabled = true
    filter {
      prefix = "media/"
    }
    expiration {
      days = var.media_retention_days
    }
  }
}

resource "yandex_storage_bucket" "spa" {
  # checkov:skip=CKV_YC_3: public static files (the built SPA); see README.md, "Scanner"
  bucket    = local.spa_bucket
  folder_id = var.folder_id
  # Read by the gateway with its IAM identity and written by deploy.sh with the deployer's: no static key needs it.
  disabled_statickey_auth = true

  anonymous_access_flags {
    read        = false
    list        = false
    config_read = false
  }

  versioning {
    enabled = true # a bad upload of the app can be rolled back
  }

  lifecycle_rule {
    id                                     = "abort-incomplete-multipart"
    enabled                                = true
    abort_incomplete_multipart_upload_days = 1
  }

  lifecycle_rule {
    id      = "expire-old-app-versions"
    enabled = true
    noncurrent_version_expiration {
      days = 30
    }
  }
}

# Bucket-level grants instead of folder-level storage roles: each account reaches one bucket, and neither can touch
# the other bucket or the Terraform state bucket.
resource "yandex_storage_bucket_iam_binding" "media_editor" {
  bucket  = yandex_storage_bucket.media.bucket
  role    = "storage.editor"
  members = ["serviceAccount:${yandex_iam_service_account.media.id}"]
}

resource "yandex_storage_bucket_iam_binding" "gateway_reads_spa" {
  bucket  = yandex_storage_bucket.spa.bucket
  role    = "storage.viewer"
  members = ["serviceAccount:${yandex_iam_service_account.gateway.id}"]
}

resource "yandex_kms_symmetric_key_iam_member" "media_encrypts" {
  symmetric_key_id = yandex_kms_symmetric_key.media.id
  role             = "kms.keys.encrypterDecrypter"
  member           = "serviceAccount:${yandex_iam_service_account.media.id}"
}

resource "yandex_storage_bucket" "keys" {
  # checkov:skip=CKV_YC_3: public keys, read anonymously by the gateway; see README.md, "Scanner"
  # checkov:skip=CKV_YC_17: public read of two documents (no listing) is the bucket's purpose; see README.md
  bucket    = local.keys_bucket
  folder_id = var.folder_id
  # Written by deploy.sh with the deployer's IAM identity; nothing uses static keys on it.
  disabled_statickey_auth = true

  anonymous_access_flags {
    read        = true
    list        = false
    config_read = false
  }

  versioning {
    enabled = false # the documents are rebuilt from Terraform's outputs on every deploy
  }
}
