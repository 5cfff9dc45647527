# Service accounts that are not tied to one resource file, and the folder-level roles that have no narrower scope.
# The full table of accounts, roles and reasons is in README.md ("Service accounts and roles").

# The functions' identity towards Object Storage: boto3 presigns uploads and downloads with this account's static key
# (stored in Lockbox), and HEADs and deletes recordings. It can reach the media bucket only (storage.tf).
resource "yandex_iam_service_account" "media" {
  name        = "${var.name}-media"
  description = "Presigns uploads/downloads and reads/deletes recordings in the media bucket, nothing else."
}

resource "yandex_iam_service_account_static_access_key" "media" {
  service_account_id = yandex_iam_service_account.media.id
  description        = "S3 key of the functions (kept in Lockbox)"
}

# Password-reset mail: Postbox's SES-compatible API signs with static keys (kept in Lockbox, read by `auth` only).
# postbox.sender lets the key send from the folder's registered addresses and nothing else; registering the address
# is deploy.sh's job, as the postbox_admin account below (README.md, "Mail").
resource "yandex_iam_service_account" "mail" {
  name        = "${var.name}-mail"
  description = "Sends password-reset mail through Postbox, nothing else."
}

resource "yandex_iam_service_account_static_access_key" "mail" {
  service_account_id = yandex_iam_service_account.mail.id
  description        = "Postbox (SES v2 API) key of the auth function (kept in Lockbox)"
}

# Postbox roles exist on folders and clouds only (no per-address binding).
resource "yandex_resourcemanager_folder_iam_member" "mail_sender" {
  folder_id = var.folder_id
  role      = "postbox.sender"
  member    = "serviceAccount:${yandex_iam_service_account.mail.id}"
}

# Registers the sender's domain (deploy.sh, scripts/mail_sender.py). Postbox's API takes a service account's IAM token
# and picks the folder from that account (postbox/aws-compatible-api/index.md, api-ref/create-domain-identity.md), so
# the domain is registered in var.folder_id, where the mail account may send. No key: deploy.sh impersonates it
# (`yc iam create-token --impersonate-service-account-id`), which the deployer's admin role allows.
resource "yandex_iam_service_account" "postbox_admin" {
  name        = "${var.name}-postbox-admin"
  description = "Registers the mail sender's domain in Postbox (deploy.sh impersonates it), nothing else."
}

resource "yandex_resourcemanager_folder_iam_member" "postbox_admin" {
  folder_id = var.folder_id
  role      = "postbox.editor"
  member    = "serviceAccount:${yandex_iam_service_account.postbox_admin.id}"
}

# A deployer narrower than the folder's admin (README.md, "Service accounts and roles") is let impersonate it here.
resource "yandex_iam_service_account_iam_member" "deployer_impersonates_postbox_admin" {
  count              = var.deployer_member != "" ? 1 : 0
  service_account_id = yandex_iam_service_account.postbox_admin.id
  role               = "iam.serviceAccounts.tokenCreator"
  member             = var.deployer_member
}

# Message Queue is managed through its SQS-compatible API, which takes static keys only: this account exists so
# Terraform can create the dead-letter queue.
resource "yandex_iam_service_account" "queues" {
  name        = "${var.name}-queues"
  description = "Terraform's key for the Message Queue API (creates the dead-letter queue)."
}

resource "yandex_iam_service_account_static_access_key" "queues" {
  service_account_id = yandex_iam_service_account.queues.id
  description        = "Used by Terraform to manage the dead-letter queue"
}

resource "yandex_resourcemanager_folder_iam_member" "queues_admin" {
  folder_id = var.folder_id
  role      = "ymq.admin"
  member    = "serviceAccount:${yandex_iam_service_account.queues.id}"
}

# Queues have no per-queue access bindings: writing to the dead-letter queue is granted on the folder.
resource "yandex_resourcemanager_folder_iam_member" "triggers_write_dlq" {
  folder_id = var.folder_id
  role      = "ymq.writer"
  member    = "serviceAccount:${yandex_iam_service_account.triggers.id}"
}

# A function that logs to a log group needs logging.writer; the provider offers no per-group binding.
resource "yandex_resourcemanager_folder_iam_member" "functions_write_logs" {
  for_each  = local.functions
  folder_id = var.folder_id
  role      = "logging.writer"
  member    = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}
