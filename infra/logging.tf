# One log group for the functions and the gateway: every line carries the request or job id, so one query follows a
# job across functions. Retention keeps personal data (emails in auth logs) for a bounded time.
resource "yandex_logging_group" "app" {
  name             = var.name
  description      = "Transcribe functions and API gateway"
  retention_period = var.log_retention
}
