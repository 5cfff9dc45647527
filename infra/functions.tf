# One function per folder in functions/. Each entry's `capabilities` are the arguments of the handler's
# load_settings(...) call (tests/infra holds the two together); they decide which environment variables and which
# Lockbox entries the function receives, so a function gets the secrets it needs and no others.
locals {
  all_functions = {
    auth               = { memory = 256, timeout = 10, capabilities = ["database", "tokens", "mail"] }
    files              = { memory = 256, timeout = 10, capabilities = ["database", "storage"] }
    jobs               = { memory = 256, timeout = 30, capabilities = ["database", "storage", "provider"] }
    upload_trigger     = { memory = 256, timeout = 120, capabilities = ["database", "storage", "provider"] }
    assemblyai_webhook = { memory = 256, timeout = 30, capabilities = ["database", "storage", "provider", "webhook"] }
    reconcile          = { memory = 256, timeout = 55, capabilities = ["database", "storage", "provider"] }
    # Invoked by deploy.sh after every apply (`yc serverless function invoke`); nothing else may call it.
    migrate = { memory = 256, timeout = 600, capabilities = ["database"] }
  }
  # AssemblyAI's webhook exists only with AssemblyAI: SpeechKit is polled by reconcile, and calls nothing back.
  functions = {
    for name, fn in local.all_functions : name => fn
    if name != "assemblyai_webhook" || var.speech_provider == "assemblyai"
  }

  # The functions that exist: all of them, except on the bootstrap apply (variables.tf: bootstrap), where the
  # gateway's URL is not known yet and the functions that need it (PUBLIC_BASE_URL: the provider's webhooks, the
  # reset links in mail) wait for the next apply.
  deployed_functions = {
    for name, fn in local.functions : name => fn
    if !local.bootstrap || length(setintersection(fn.capabilities, ["provider", "mail"])) == 0
  }

  # Lockbox entries (secrets.tf) per capability; the entry key is also the environment variable's name.
  capability_secrets = {
    database = ["DATABASE_URL"]
    tokens   = ["JWT_PRIVATE_KEY"]
    storage  = ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]
    provider = local.provider_secrets[var.speech_provider]
    webhook  = ["WEBHOOK_SECRET"]
    mail     = ["MAIL_ACCESS_KEY_ID", "MAIL_SECRET_ACCESS_KEY"]
  }

  # Plain environment per capability (names as in common/runtime/config.py).
  capability_env = {
    # concurrency = 1 below: one request per instance, so one pooled connection is enough.
    database = { DB_POOL_SIZE = "1" }
    # The JWKS keeps every key of var.token_key_ids; auth signs with this one (README.md, "Token keys").
    tokens = {
      JWT_KEY_ID                  = var.token_signing_key_id
      ACCESS_TOKEN_EXPIRE_MINUTES = tostring(var.access_token_expire_minutes)
    }
    storage = {
      S3_ENDPOINT_URL  = local.s3_endpoint
      S3_REGION        = "ru-central1"
      S3_BUCKET        = local.media_bucket
      MAX_UPLOAD_BYTES = tostring(var.max_upload_bytes)
    }
    provider = merge(local.provider_common_env, local.provider_env[var.speech_provider])
    webhook  = {}
    # Postbox's SES-compatible API; the sender's domain is registered by deploy.sh (no Terraform resource exists).
    mail = {
      MAIL_ENDPOINT_URL = "https://postbox.cloud.yandex.net"
      MAIL_REGION       = "ru-central1"
      MAIL_FROM         = var.mail_from
      PUBLIC_BASE_URL   = local.public_base_url
    }
  }

  # What the `provider` capability adds per speech provider (var.speech_provider).
  provider_secrets = {
    assemblyai = ["ASSEMBLYAI_API_KEY", "WEBHOOK_SECRET"]
    speechkit  = [] # each call is signed with the function's own IAM token
  }
  provider_common_env = {
    SPEECH_PROVIDER             = var.speech_provider
    DELETE_PROVIDER_COPY        = "true"
    MAX_PARALLEL_TRANSCRIPTIONS = tostring(var.max_parallel_transcriptions)
  }
  provider_env = {
    assemblyai = {
      ASSEMBLYAI_BASE_URL = var.assemblyai_base_url
      PUBLIC_BASE_URL     = local.public_base_url # the webhook URL's base
    }
    # No webhook: each run of the reconcile timer (once a minute) polls the recognitions in flight.
    speechkit = { POLL_INTERVAL_SECONDS = "30" }
  }

  # The webhook URL's base. The gateway's own domain cannot be referenced here (the gateway needs these functions'
  # ids first: a cycle), so it arrives as var.public_base_url from deploy.sh — or from custom_domain, known upfront.
  # Without either, only a bootstrap apply may go on (gateway.tf checks it), and it creates no function that needs it.
  public_base_url = var.public_base_url != "" ? var.public_base_url : (var.custom_domain != "" ? "https://${var.custom_domain}" : "")
  bootstrap       = local.public_base_url == ""

  zip_dir = "${path.module}/../build/functions"
  # Object Storage's endpoint: presigned URLs point at it, so the web app's CSP admits it (gateway.tf).
  s3_endpoint = "https://storage.yandexcloud.net"
}

resource "yandex_iam_service_account" "function" {
  for_each    = local.functions
  name        = "${var.name}-fn-${replace(each.key, "_", "-")}"
  description = "Runs the ${each.key} function: reads its Lockbox entries, writes its logs. Nothing else."
}

resource "yandex_function" "fn" {
  for_each           = local.deployed_functions
  name               = "${var.name}-${replace(each.key, "_", "-")}"
  description        = "Transcribe: ${each.key} (capabilities: ${join(", ", each.value.capabilities)})"
  runtime            = "python312"
  entrypoint         = "index.handler"
  memory             = each.value.memory
  execution_timeout  = each.value.timeout
  concurrency        = 1
  service_account_id = yandex_iam_service_account.function[each.key].id
  # deploy.sh builds reproducible zips, so the hash changes only with the code or its requirements.
  user_hash = filesha256("${local.zip_dir}/${each.key}.zip")

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

  # The database hosts have private addresses only: functions that use the database run attached to its network,
  # which keeps their internet access (AssemblyAI, Object Storage).
  dynamic "connectivity" {
    for_each = contains(each.value.capabilities, "database") ? [yandex_vpc_network.main.id] : []
    content {
      network_id = connectivity.value
    }
  }

  log_options {
    log_group_id = yandex_logging_group.app.id
    min_level    = "INFO"
  }

  depends_on = [
    yandex_lockbox_secret_iam_member.function_reads_secret,
    yandex_kms_symmetric_key_iam_member.function_decrypts_secret,
    yandex_resourcemanager_folder_iam_member.functions_write_logs,
    yandex_vpc_subnet.main,
  ]
}
