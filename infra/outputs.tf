output "api_url" {
  value       = "https://${yandex_api_gateway.api.domain}"
  description = "The gateway's own URL: the API under /api/v1 and the web app at / (same origin)."
}

output "public_url" {
  value       = local.public_base_url != "" ? local.public_base_url : "https://${yandex_api_gateway.api.domain}"
  description = "The URL users and AssemblyAI's webhooks use (the custom domain when there is one)."
}

output "spa_url" {
  value       = "${local.public_base_url != "" ? local.public_base_url : "https://${yandex_api_gateway.api.domain}"}/"
  description = "The web app."
}

output "webhook_base_url" {
  value       = local.public_base_url
  description = "PUBLIC_BASE_URL as the functions see it; empty until deploy.sh's second apply on a first deploy."
}

output "media_bucket" {
  value = yandex_storage_bucket.media.bucket
}

output "spa_bucket" {
  value = yandex_storage_bucket.spa.bucket
}

output "upload_dead_letter_queue" {
  value       = yandex_message_queue.upload_dlq.id
  description = "Upload events that failed every retry land here."
}

output "function_ids" {
  value = { for name, fn in yandex_function.fn : name => fn.id }
}

output "database_host" {
  value = local.db_host
}

output "migration_database_url" {
  value       = local.database_url
  sensitive   = true
  description = "Used by deploy.sh to run Alembic from the deployer's machine (needs deployer_cidrs)."
}
