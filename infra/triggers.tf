# Upload events start transcriptions; a timer repairs what events missed. Both retry, and failed upload events
# land in a dead-letter queue instead of vanishing.
resource "yandex_iam_service_account" "triggers" {
  name        = "${var.name}-triggers"
  description = "Triggers: invoke upload_trigger and reconcile, write to the dead-letter queue."
}

resource "yandex_function_iam_member" "triggers_invoke" {
  for_each    = toset(["upload_trigger", "reconcile"])
  function_id = yandex_function.fn[each.key].id
  role        = "functions.functionInvoker"
  member      = "serviceAccount:${yandex_iam_service_account.triggers.id}"
}

resource "yandex_message_queue" "upload_dlq" {
  name                       = "${var.name}-upload-dlq"
  message_retention_seconds  = 1209600
  access_key                 = yandex_iam_service_account_static_access_key.queues.access_key
  secret_key                 = yandex_iam_service_account_static_access_key.queues.secret_key
  visibility_timeout_seconds = 600
}

resource "yandex_function_trigger" "upload" {
  name        = "${var.name}-upload"
  description = "ObjectCreate under uploads/ → upload_trigger"

  object_storage {
    bucket_id    = yandex_storage_bucket.media.id
    prefix       = "uploads/"
    create       = true
    batch_cutoff = "2"
    batch_size   = "10"
  }

  function {
    id                 = yandex_function.fn["upload_trigger"].id
    service_account_id = yandex_iam_service_account.triggers.id
    retry_attempts     = "5"
    retry_interval     = "30"
  }

  dlq {
    queue_id           = yandex_message_queue.upload_dlq.arn
    service_account_id = yandex_iam_service_account.triggers.id
  }
}

resource "yandex_function_trigger" "reconcile" {
  name        = "${var.name}-reconcile"
  description = "Every minute → reconcile"

  timer {
    cron_expression = "* * * * ? *"
  }

  function {
    id                 = yandex_function.fn["reconcile"].id
    service_account_id = yandex_iam_service_account.triggers.id
  }
}
