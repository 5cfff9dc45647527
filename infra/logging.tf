resource "yandex_logging_group" "app" {
  name             = var.name
  description      = "Functions and gateway: one line per event, with job ids"
  retention_period = var.log_retention
}
