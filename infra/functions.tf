# One function per folder in functions/. `capabilities` mirror each handler's load_settings(...) call (a test holds
# them together); they decide which environment variables and Lockbox entries the function receives.
locals {
  functions = {
    auth               = { memory = 256, timeout = 10, capabilities = ["database", "tokens"] }
    files              = { memory = 256, timeout = 10, capabilities = ["database", "tokens", "storage"] }
    jobs               = { memory = 256, timeout = 30, capabilities = ["database", "tokens", "storage", "provider"] }
    upload_trigger     = { memory = 256, timeout = 60, capabilities = ["database", "storage", "provider"] }
    assemblyai_webhook = { memory = 256, timeout = 10, capabilities = ["database", "storage", "provider", "webhook"] }
    reconcile          = { memory = 256, timeout = 120, capabilities = ["database", "storage", "provider"] }
  }

  capability_secrets = {
    database = ["DATABASE_URL"]
    tokens   = ["JWT_SECRET_KEY"]
    storage  = ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]
    provider = ["ASSEMBLYAI_API_KEY", "WEBHOOK_SECRET"]
    webhook  = ["WEBHOOK_SECRET"]
  }

  capability_env = {
    database = { DB_POOL_SIZE = "1" }
    tokens   = { JWT_ALGORITHM = "HS256", ACCESS_TOKEN_EXPIRE_MINUTES = "720" }
    storage = {
      S3_ENDPOINT_URL  = "https://storage.yandexcloud.net"
      S3_REGION        = "ru-central1"
      S3_BUCKET        = local.media_bucket
      MAX_UPLOAD_BYTES = tostring(var.max_upload_bytes)
    }
    provider = {
      ASSEMBLYAI_BASE_URL         = var.assemblyai_base_url
      PUBLIC_BASE_URL             = local.public_base_url
      DELETE_PROVIDER_COPY        = "true"
      MAX_PARALLEL_TRANSCRIPTIONS = tostring(var.max_parallel_transcriptions)
    }
    webhook = {}
  }

  public_base_url = var.public_base_url
  # Named, not referenced: the bucket's CORS needs the gateway's domain, and the gateway needs these functions.
  media_bucket = "${var.name}-media-${var.folder_id}"
  zip_dir         = "${path.module}/../build/functions"
}

resource "yandex_iam_service_account" "function" {
  for_each    = local.functions
  name        = "${var.name}-fn-${replace(each.key, "_", "-")}"
  description = "Runs the ${each.key} function: reads its Lockbox entries and writes logs."
}

resource "yandex_function" "fn" {
  for_each           = local.functions
  name               = "${var.name}-${replace(each.key, "_", "-")}"
  description        = "Transcribe: ${each.key}"
  runtime            = "python312"
  entrypoint         = "index.handler"
  memory             = each.value.memory
  execution_timeout  = each.value.timeout
  concurrency        = 1
  service_account_id = yandex_iam_service_account.function[each.key].id
  user_hash          = filesha256("${local.zip_dir}/${each.key}.zip")

  content {
    zip_filename = "${local.zip_dir}/${each.key}.zip"
  }

  environment = merge({ ENV = "prod" }, [for c in each.value.capabilities : local.capability_env[c]]...)

  dynamic "secrets" {
    for_each = toset(flatten([for c in each.value.capabilities : local.capability_secrets[c]]))
    content {
      id                   = yandex_lockbox_secret.app.id
      version_id           = yandex_lockbox_secret_version.app.id
      key                  = secrets.value
      environment_variable = secrets.value
    }
  }

  log_options {
    log_group_id = yandex_logging_group.app.id
    min_level    = "INFO"
  }

  depends_on = [yandex_lockbox_secret_iam_member.function_reads_secret]
}
