# The API and the SPA behind one gateway domain; the spec is infra/api/openapi.yaml, the same file the local
# gateway routes from.
resource "yandex_iam_service_account" "gateway" {
  name        = "${var.name}-gateway"
  description = "API Gateway: invokes the HTTP functions and reads the SPA bucket."
}

locals {
  http_functions = ["auth", "files", "jobs", "assemblyai_webhook"]
}

resource "yandex_function_iam_member" "gateway_invokes" {
  for_each    = toset(local.http_functions)
  function_id = yandex_function.fn[each.key].id
  role        = "functions.functionInvoker"
  member      = "serviceAccount:${yandex_iam_service_account.gateway.id}"
}

resource "yandex_api_gateway" "api" {
  name              = var.name
  description       = "Transcribe API and web app"
  execution_timeout = "60"
  spec = templatefile("${path.module}/api/openapi.yaml", {
    functions                  = { for name, fn in yandex_function.fn : name => fn.id }
    gateway_service_account_id = yandex_iam_service_account.gateway.id
    spa_bucket                 = yandex_storage_bucket.spa.bucket
  })

  log_options {
    log_group_id = yandex_logging_group.app.id
    min_level    = "INFO"
  }
}
