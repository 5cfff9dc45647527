# The API and the web app behind one gateway and one origin. The spec is infra/api/openapi.yaml — the same file the
# local gateway routes from — rendered as a template: ${functions.<name>} are function ids,
# ${gateway_service_account_id} is the account the gateway acts as, ${spa_bucket} serves the SPA's files,
# ${token_keys_url} is where the JWT authorizer reads the access tokens' public keys (the keys bucket),
# ${spa_index_html} is the built index.html (served with the app's security headers) and ${media_origin} the origin
# of the presigned upload and playback URLs, which the page's Content-Security-Policy admits.
locals {
  spec_file = "${path.module}/api/openapi.yaml"
  # The functions the spec routes to, read from the spec itself so the invoker grants below can never drift from it.
  # Only the routes of functions that exist: AssemblyAI's webhook route is dropped with SpeechKit.
  http_functions = setintersection(
    toset(flatten(regexall("\\$\\{functions\\.([a-z0-9_]+)\\}", file(local.spec_file)))), keys(local.functions)
  )
  token_keys_url = "https://storage.yandexcloud.net/${yandex_storage_bucket.keys.bucket}"

  # The bootstrap apply (variables.tf: bootstrap) creates the gateway only to learn its domain: the functions the
  # spec routes to do not all exist yet, so it serves this static 503 until the next apply installs the real spec.
  bootstrap_spec = yamlencode({
    openapi = "3.0.0"
    info    = { title = "Transcribe (being deployed)", version = "0.0.0" }
    paths = {
      "/{path+}" = {
        get = {
          parameters = [{ name = "path", in = "path", required = true, schema = { type = "string" } }]
          "x-yc-apigateway-integration" = {
            type         = "dummy"
            http_code    = 503
            http_headers = { "Content-Type" = "text/plain; charset=utf-8", "Retry-After" = "60" }
            content      = { "*" = "Transcribe is being deployed; try again in a minute.\n" }
          }
          responses = { "503" = { description = "Not deployed yet." } }
        }
      }
    }
  })
}

resource "yandex_iam_service_account" "gateway" {
  name        = "${var.name}-gateway"
  description = "API Gateway: invokes the HTTP functions and reads the SPA bucket."
}

resource "yandex_function_iam_member" "gateway_invokes" {
  for_each    = setintersection(local.http_functions, keys(local.deployed_functions))
  function_id = yandex_function.fn[each.key].id
  role        = "functions.functionInvoker"
  member      = "serviceAccount:${yandex_iam_service_account.gateway.id}"
}

resource "yandex_api_gateway" "api" {
  name              = var.name
  description       = "Transcribe: API under /api/v1 and the web app at /"
  execution_timeout = "60"

  # Only one branch is evaluated: on the bootstrap apply the template (which names every HTTP function) is not read.
  spec = local.bootstrap ? local.bootstrap_spec : templatefile(local.spec_file, {
    functions                  = { for name, fn in yandex_function.fn : name => fn.id }
    gateway_service_account_id = yandex_iam_service_account.gateway.id
    spa_bucket                 = yandex_storage_bucket.spa.bucket
    token_keys_url             = local.token_keys_url
    # deploy.sh builds the web app before every plan and apply; its assets are uploaded before this spec goes live.
    spa_index_html = file("${path.module}/../frontend/dist/index.html")
    media_origin   = local.s3_endpoint
    # AssemblyAI's webhook route is rendered only with AssemblyAI (a %{ if } in the spec's comments).
    speech_provider = var.speech_provider
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

  lifecycle {
    # Without a URL the functions that submit transcriptions cannot be configured. Only the first deploy may go on
    # without one (deploy.sh passes -var bootstrap=true then, and -var public_base_url=<api_url> on every later run).
    precondition {
      condition     = !local.bootstrap || var.bootstrap
      error_message = "public_base_url is empty: pass -var public_base_url=$(terraform output -raw api_url) (deploy.sh does), set custom_domain, or -var bootstrap=true on the very first apply only."
    }
  }

  depends_on = [
    yandex_function_iam_member.gateway_invokes,
    yandex_storage_bucket_iam_binding.gateway_reads_spa,
  ]
}
