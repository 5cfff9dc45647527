# Password-reset mail goes out through Yandex Cloud Postbox. The provider has no Postbox resource (see
# ../shared/yandex/terraform-schema.json): deploy.sh registers the sender's domain through Postbox's SES-compatible
# API (scripts/mail_sender.py, idempotent). Terraform owns the key, the account (iam.tf) and, optionally, the record.
locals {
  mail_domain = lower(element(split("@", trimsuffix(trimspace(var.mail_from), ">")), 1))
  mail_dkim_record = {
    name = "${var.mail_dkim_selector}._domainkey.${local.mail_domain}."
    type = "TXT"
    # The public key as bare base64 (the PEM body), as DKIM records carry it.
    value = "v=DKIM1;h=sha256;k=rsa;p=${join("", [for line in split("\n", trimspace(tls_private_key.dkim.public_key_pem)) : line if !startswith(line, "-----")])}"
  }
}

resource "yandex_dns_recordset" "dkim" {
  count   = var.mail_dns_zone_id != "" ? 1 : 0
  zone_id = var.mail_dns_zone_id
  name    = local.mail_dkim_record.name
  type    = "TXT"
  ttl     = 600
  # A TXT string holds at most 255 characters and a 2048-bit key is longer: the value goes as two strings.
  data = ["\"${substr(local.mail_dkim_record.value, 0, 255)}\" \"${substr(local.mail_dkim_record.value, 255, -1)}\""]
}
