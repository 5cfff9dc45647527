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
  description = "PUBLIC_BASE_URL as the functions see it; empty only after the bootstrap apply of a first deploy."
}

output "media_bucket" {
  value = yandex_storage_bucket.media.bucket
}

output "spa_bucket" {
  value = yandex_storage_bucket.spa.bucket
}

output "keys_bucket" {
  value       = yandex_storage_bucket.keys.bucket
  description = "Public bucket deploy.sh writes the token keys' jwks.json and openid-configuration into."
}

output "token_keys_url" {
  value       = local.token_keys_url
  description = "Where the gateway's JWT authorizer reads the public keys: <url>/jwks.json."
}

output "token_public_keys" {
  value       = { for kid, key in tls_private_key.token : kid => key.public_key_pem }
  description = "Key id → public key PEM of every token key (deploy.sh turns them into jwks.json). Public by design."
}

output "upload_dead_letter_queue" {
  value       = yandex_message_queue.upload_dlq.id
  description = "Upload events that failed every retry land here."
}

output "function_ids" {
  value = { for name, fn in yandex_function.fn : name => fn.id }
}

output "migrate_function_id" {
  value       = yandex_function.fn["migrate"].id
  description = "deploy.sh invokes it after every apply: Alembic upgrade to head, inside the database's network."
}

output "database_host" {
  value = local.db_host
}

output "mail_domain" {
  value       = local.mail_domain
  description = "The sending domain deploy.sh registers in Postbox."
}

output "mail_dkim_record" {
  value       = local.mail_dkim_record
  description = "The DNS TXT record Postbox checks before it sends from the domain (README.md, \"Mail\")."
}

output "postbox_admin_service_account_id" {
  value       = yandex_iam_service_account.postbox_admin.id
  description = "deploy.sh registers the mail domain as this account (an impersonated IAM token)."
}

output "mail_dkim_selector" {
  value = var.mail_dkim_selector
}

output "mail_dkim_private_key" {
  value       = tls_private_key.dkim.private_key_pem_pkcs8 # PKCS#8 ("BEGIN PRIVATE KEY"): the format SES takes
  sensitive   = true
  description = "Handed to Postbox by deploy.sh when it registers the domain; never printed."
}
