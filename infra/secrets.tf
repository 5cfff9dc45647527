# Every secret the functions use, in one Lockbox secret encrypted with its own KMS key. Generated values come from the
# `random` and `tls` providers; the AssemblyAI key is a sensitive variable. Each function receives only the entries its
# capabilities name (functions.tf) — though any function's account may read the whole secret through the API, since
# Lockbox grants are per secret, not per entry (see README, "Secrets").
# Access-token signing keys (ES256). Every key's public half is published (outputs.tf: token_public_keys, uploaded to
# the keys bucket by deploy.sh) for the gateway's JWT authorizer; auth signs with one of them. Rotation: README.md.
resource "tls_private_key" "token" {
  for_each    = toset(var.token_key_ids)
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

# The DKIM key Postbox signs our mail with: deploy.sh hands the private half to Postbox when it registers the sender's
# domain; the public half is the DNS record outputs.tf prints (and dns.tf creates when the zone is in Cloud DNS).
resource "tls_private_key" "dkim" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "random_password" "webhook" {
  count   = var.speech_provider == "assemblyai" ? 1 : 0 # SpeechKit calls nothing back
  length  = 48
  special = false
}

resource "random_password" "db" {
  length  = 32
  special = false # it travels inside DATABASE_URL; letters and digits need no escaping anywhere
}

resource "yandex_kms_symmetric_key" "secrets" {
  name              = "${var.name}-secrets"
  description       = "Encrypts the Lockbox secret of the functions"
  default_algorithm = "AES_256"
  rotation_period   = "8760h"
}

resource "yandex_lockbox_secret" "app" {
  name                = "${var.name}-app"
  description         = "Transcribe function secrets"
  kms_key_id          = yandex_kms_symmetric_key.secrets.id
  deletion_protection = true
}

resource "yandex_lockbox_secret_version" "app" {
  secret_id = yandex_lockbox_secret.app.id

  # Every field is ForceNew and deleting a version schedules its destruction: the new version must exist (and the
  # functions move to it) before the one the running function versions name goes away.
  lifecycle {
    create_before_destroy = true
  }

  entries {
    key        = "DATABASE_URL"
    text_value = local.database_url
  }
  entries {
    key        = "JWT_PRIVATE_KEY"
    text_value = tls_private_key.token[var.token_signing_key_id].private_key_pem
  }
  entries {
    key        = "S3_ACCESS_KEY_ID"
    text_value = yandex_iam_service_account_static_access_key.media.access_key
  }
  entries {
    key        = "S3_SECRET_ACCESS_KEY"
    text_value = yandex_iam_service_account_static_access_key.media.secret_key
  }
  entries {
    key        = "MAIL_ACCESS_KEY_ID"
    text_value = yandex_iam_service_account_static_access_key.mail.access_key
  }
  entries {
    key        = "MAIL_SECRET_ACCESS_KEY"
    text_value = yandex_iam_service_account_static_access_key.mail.secret_key
  }
  # The provider's entries (AssemblyAI's key and our webhook secret; none for SpeechKit), iterated by name: the
  # values are sensitive, and for_each may not be.
  dynamic "entries" {
    for_each = toset(local.provider_secrets[var.speech_provider])
    content {
      key        = entries.value
      text_value = local.provider_secret_values[entries.value]
    }
  }
}

locals {
  provider_secret_values = {
    ASSEMBLYAI_API_KEY = var.assemblyai_api_key
    WEBHOOK_SECRET     = one(random_password.webhook[*].result)
  }
}

resource "yandex_lockbox_secret_iam_member" "function_reads_secret" {
  for_each  = local.functions
  secret_id = yandex_lockbox_secret.app.id
  role      = "lockbox.payloadViewer"
  member    = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}

# The role Lockbox and Functions name for a KMS-encrypted secret (_includes/functions/transmit-secret.md,
# _includes/lockbox/lockbox-and-kms-roles.md: "kms.keys.encrypterDecrypter"), granted on this one key only.
resource "yandex_kms_symmetric_key_iam_member" "function_decrypts_secret" {
  for_each         = local.functions
  symmetric_key_id = yandex_kms_symmetric_key.secrets.id
  role             = "kms.keys.encrypterDecrypter"
  member           = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}
