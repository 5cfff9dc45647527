# Upload events start transcriptions; a timer repairs whatever events missed. Failed upload events are retried and
# then parked in a Message Queue dead-letter queue instead of vanishing (reconcile heals them meanwhile).
locals {
  trigger_functions = toset(["upload_trigger", "reconcile"])
  # Both need PUBLIC_BASE_URL, so neither exists on the bootstrap apply (functions.tf: deployed_functions).
  deployed_triggers = setintersection(local.trigger_functions, keys(local.deployed_functions))
}

resource "yandex_iam_service_account" "triggers" {
  name        = "${var.name}-triggers"
  description = "Triggers: invoke upload_trigger and reconcile, write failed events to the dead-letter queue."
}

resource "yandex_function_iam_member" "triggers_invoke" {
  for_each    = local.deployed_triggers
  function_id = yandex_function.fn[each.key].id
  role        = "functions.functionInvoker"
  member      = "serviceAccount:${yandex_iam_service_account.triggers.id}"
}

resource "yandex_message_queue" "upload_dlq" {
  name                       = "${var.name}-upload-dlq"
  message_retention_seconds  = 1209600 # 14 days, the maximum: time to look at and replay what failed
  visibility_timeout_seconds = 600
  access_key                 = yandex_iam_service_account_static_access_key.queues.access_key
  secret_key                 = yandex_iam_service_account_static_access_key.queues.secret_key

  depends_on = [yandex_resourcemanager_folder_iam_member.queues_admin]
}

resource "yandex_function_trigger" "upload" {
  count       = contains(local.deployed_triggers, "upload_trigger") ? 1 : 0
  name        = "${var.name}-upload"
  description = "ObjectCreate under uploads/ in the media bucket → upload_trigger"

  object_storage {
    bucket_id    = yandex_storage_bucket.media.id
    prefix       = "uploads/"
    create       = true
    batch_size   = "10"
    batch_cutoff = "2"
  }

  function {
    id                 = yandex_function.fn["upload_trigger"].id
    service_account_id = yandex_iam_service_account.triggers.id
    retry_attempts     = "5"  # 1–5
    retry_interval     = "30" # seconds, 10–60
  }

  dlq {
    queue_id           = yandex_message_queue.upload_dlq.arn
    service_account_id = yandex_iam_service_account.triggers.id
  }

  depends_on = [
    yandex_function_iam_member.triggers_invoke,
    yandex_resourcemanager_folder_iam_member.triggers_write_dlq,
  ]
}

resource "yandex_function_trigger" "reconcile" {
  count       = contains(local.deployed_triggers, "reconcile") ? 1 : 0
  name        = "${var.name}-reconcile"
  description = "Every minute → reconcile"

  timer {
    cron_expression = "* * * * ? *" # minutes hours day-of-month month day-of-week year
  }

  function {
    id                 = yandex_function.fn["reconcile"].id
    service_account_id = yandex_iam_service_account.triggers.id
  }

  depends_on = [yandex_function_iam_member.triggers_invoke]
}
