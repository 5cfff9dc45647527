output "api_url" {
  value       = "https://${yandex_api_gateway.api.domain}"
  description = "API and web app (same origin)"
}

output "spa_url" {
  value = "https://${yandex_api_gateway.api.domain}/"
}

output "media_bucket" {
  value = yandex_storage_bucket.media.bucket
}

output "spa_bucket" {
  value = yandex_storage_bucket.spa.bucket
}

output "database_host" {
  value = "c-${yandex_mdb_postgresql_cluster.db.id}.rw.mdb.yandexcloud.net"
}

output "migration_database_url" {
  value       = local.database_url
  sensitive   = true
  description = "Used by deploy.sh to run Alembic from the deployer's machine"
}

output "storage_admin_access_key" {
  value     = yandex_iam_service_account_static_access_key.storage_admin.access_key
  sensitive = true
}

output "storage_admin_secret_key" {
  value     = yandex_iam_service_account_static_access_key.storage_admin.secret_key
  sensitive = true
}
