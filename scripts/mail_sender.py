"""Registers the sender's domain in Yandex Cloud Postbox (deploy.sh), idempotently: a domain already registered is
left as it is. The Terraform provider has no Postbox resource, so this goes through Postbox's SES v2 API.

Usage: POSTBOX_IAM_TOKEN=... python scripts/mail_sender.py --domain D --selector S --dkim-key-file KEY.pem
The token must be a *service account's* IAM token (postbox/aws-compatible-api/index.md: "X-YaCloud-SubjectToken:
Contains a service account IAM token"); Postbox registers the domain in that account's folder. deploy.sh gets one for
the Terraform-made `<name>-postbox-admin` account (postbox.editor on the folder) with
`yc iam create-token --impersonate-service-account-id` (infra/README.md, "Mail"). POSTBOX_ENDPOINT overrides
https://postbox.cloud.yandex.net (the tests point it at the local one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.adapters.postbox import ensure_sender, sesv2_client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", required=True)
    parser.add_argument("--selector", required=True)
    parser.add_argument(
        "--dkim-key-file", type=Path, required=True, help="the RSA private key (PEM) Postbox signs with"
    )
    args = parser.parse_args(argv)
    token = os.environ.get("POSTBOX_IAM_TOKEN", "")
    if not token:
        parser.error("POSTBOX_IAM_TOKEN is not set (yc iam create-token)")
    endpoint = os.environ.get("POSTBOX_ENDPOINT", "https://postbox.cloud.yandex.net")
    client = sesv2_client(endpoint, "ru-central1", iam_token=token)
    identity = ensure_sender(client, args.domain, args.selector, args.dkim_key_file.read_text())
    dkim = identity.get("DkimAttributes", {}).get("Status", "unknown")
    print(f"    sender domain {args.domain}: DKIM {dkim}, may send: {identity.get('VerifiedForSendingStatus', False)}")
    if dkim != "SUCCESS":
        print("    add the DKIM record (terraform -chdir=infra output mail_dkim_record) to the domain's DNS,")
        print("    then press Validate on the address in Postbox's console; it sends once the check passes")
        print("    (infra/README.md, 'Mail').")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
