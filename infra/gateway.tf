# The API and the web app behind one gateway and one origin. The spec is infra/api/openapi.yaml — the same file the
# local gateway routes from — rendered as a template: ${functions.<name>} are function ids,
# ${gateway_service_account_id} is the account the gateway acts as, ${spa_bucket} serves the SPA.
locals {
  spec_file = "${path.module}/api/openapi.yaml"
  # The functions the spec routes to, read from the spec itself so the invoker grants below can never drift from it.
  http_functions = toset(flatten(regexall("\\$\\{functions\\.([a-z0-9_]+)\\}", file(local.spec_file))))
}

resource "yandex_iam_service_account" "gateway" {
  name        = "${var.name}-gateway"
  description = "API Gateway: invokes the HTTP functions and reads the SPA bucket."
}

resource "yandex_function_iam_member" "gateway_invokes" {
  for_each    = local.http_functions
  function_id = yandex_function.fn[each.key].id
  role        = "functions.functionInvoker"
  member      = "serviceAccount:${yandex_iam_service_account.gateway.id}"
}

resource "yandex_api_gateway" "api" {
  name              = var.name
  description       = "Transcribe: API under /api/v1 and the web app at /"
  execution_timeout = "60"

  spec = templatefile(local.spec_file, {
    functions                  = { for name, fn in yandex_function.fn : name => fn.id }
    gateway_service_account_id = yandex_iam_service_account.gateway.id
    spa_bucket                 = yandex_storage_bucket.spa.bucket
  })

  dynamic "custom_domains" {
    for_each = var.custom_domain != "" ? [var.custom_domain] : []
    content {
      fqdn           = custom_domains.value
      certificate_id = var.custom_domain_certificate_id
    }
  }

  log_options {
    log_group_id = yandex_logging_group.app.id
    min_level    = "INFO"
  }

  depends_on = [
    yandex_function_iam_member.gateway_invokes,
    yandex_storage_bucket_iam_binding.gateway_reads_spa,
    yandex_kms_symmetric_key_iam_member.gateway_decrypts_spa,
  ]
}
