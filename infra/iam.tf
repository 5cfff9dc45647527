# Service accounts with the least each needs. Functions reach S3 with the `media` account's static keys (boto3
# presigns with them), so only that account may touch the media bucket.
resource "yandex_iam_service_account" "media" {
  name        = "${var.name}-media"
  description = "Presigns uploads and downloads, reads and deletes recordings in the media bucket."
}

resource "yandex_iam_service_account_static_access_key" "media" {
  service_account_id = yandex_iam_service_account.media.id
  description        = "S3 keys of the functions (in Lockbox)"
}

resource "yandex_resourcemanager_folder_iam_member" "media_storage" {
  folder_id = var.folder_id
  role      = "storage.editor"
  member    = "serviceAccount:${yandex_iam_service_account.media.id}"
}

resource "yandex_kms_symmetric_key_iam_member" "media_encrypts" {
  symmetric_key_id = yandex_kms_symmetric_key.media.id
  role             = "kms.keys.encrypterDecrypter"
  member           = "serviceAccount:${yandex_iam_service_account.media.id}"
}

resource "yandex_iam_service_account" "storage_admin" {
  name        = "${var.name}-storage-admin"
  description = "Terraform's hand for bucket settings (CORS, lifecycle, encryption)."
}

resource "yandex_iam_service_account_static_access_key" "storage_admin" {
  service_account_id = yandex_iam_service_account.storage_admin.id
  description        = "Used by Terraform to configure buckets"
}

resource "yandex_resourcemanager_folder_iam_member" "storage_admin" {
  folder_id = var.folder_id
  role      = "storage.admin"
  member    = "serviceAccount:${yandex_iam_service_account.storage_admin.id}"
}

resource "yandex_kms_symmetric_key_iam_member" "gateway_reads_spa" {
  symmetric_key_id = yandex_kms_symmetric_key.media.id
  role             = "kms.keys.decrypter"
  member           = "serviceAccount:${yandex_iam_service_account.gateway.id}"
}

resource "yandex_resourcemanager_folder_iam_member" "gateway_storage_viewer" {
  folder_id = var.folder_id
  role      = "storage.viewer"
  member    = "serviceAccount:${yandex_iam_service_account.gateway.id}"
}

resource "yandex_iam_service_account" "queues" {
  name        = "${var.name}-queues"
  description = "Creates the dead-letter queue (Message Queue speaks the SQS API and needs static keys)."
}

resource "yandex_iam_service_account_static_access_key" "queues" {
  service_account_id = yandex_iam_service_account.queues.id
}

resource "yandex_resourcemanager_folder_iam_member" "queues_admin" {
  folder_id = var.folder_id
  role      = "ymq.admin"
  member    = "serviceAccount:${yandex_iam_service_account.queues.id}"
}

resource "yandex_resourcemanager_folder_iam_member" "triggers_write_dlq" {
  folder_id = var.folder_id
  role      = "ymq.writer"
  member    = "serviceAccount:${yandex_iam_service_account.triggers.id}"
}

resource "yandex_resourcemanager_folder_iam_member" "functions_write_logs" {
  for_each  = local.functions
  folder_id = var.folder_id
  role      = "logging.writer"
  member    = "serviceAccount:${yandex_iam_service_account.function[each.key].id}"
}
