"""Mail adapter: Yandex Cloud Postbox through its Amazon SES v2 API (boto3's `sesv2` client, Postbox's endpoint).

Locally the same client talks to moto's SES v2 server (local/mail.py). Postbox sends only from a registered
address (a domain with its DKIM key); `ensure_sender` registers it, idempotently, for deploy.sh and the local cloud.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from common.adapters.ports import Mail
from common.runtime.config import Settings


def sesv2_client(
    endpoint_url: str, region: str, access_key_id: str = "", secret_access_key: str = "", iam_token: str = ""
) -> Any:
    """An SES v2 client signing with a static key (the functions), or sending an IAM token instead of a signature,
    as Postbox also accepts (`X-YaCloud-SubjectToken`; deploy.sh, with the deployer's own token)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
    keys = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key}
    if iam_token:
        config, keys = config.merge(Config(signature_version=UNSIGNED)), {}
    client = boto3.client("sesv2", endpoint_url=endpoint_url, region_name=region, config=config, **keys)
    if iam_token:

        def add_token(request: Any, **_: Any) -> None:
            request.headers["X-YaCloud-SubjectToken"] = iam_token

        client.meta.events.register("before-send.sesv2.*", add_token)
    return client


class Postbox:
    def __init__(self, settings: Settings) -> None:
        self.sender = settings.MAIL_FROM
        keys = settings.MAIL_ACCESS_KEY_ID, settings.MAIL_SECRET_ACCESS_KEY
        self._client = sesv2_client(settings.MAIL_ENDPOINT_URL, settings.MAIL_REGION, *keys)

    def send(self, mail: Mail) -> str:
        """Sends one message; its id at Postbox."""

        def part(text: str) -> dict[str, str]:
            return {"Data": text, "Charset": "UTF-8"}

        answer = self._client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [mail.to]},
            Content={
                "Simple": {
                    "Subject": part(mail.subject),
                    "Body": {"Text": part(mail.text), "Html": part(mail.html)},
                }
            },
        )
        return str(answer.get("MessageId", ""))


def sender_domain(sender: str) -> str:
    """The domain of a From address ("Transcribe <noreply@example.com>" → "example.com"): what Postbox registers."""
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise ValueError(f"not an email address: {sender!r}")
    return address.rsplit("@", 1)[1].lower()


def ensure_sender(client: Any, domain: str, dkim_selector: str = "", dkim_private_key: str = "") -> dict[str, Any]:
    """Registers `domain` as a sending address unless it already is (get first: running this twice changes nothing);
    returns the address as Postbox describes it (its DKIM status tells whether the DNS record is seen yet)."""
    try:
        return dict(client.get_email_identity(EmailIdentity=domain))
    except client.exceptions.NotFoundException:
        pass
    request: dict[str, Any] = {"EmailIdentity": domain}
    if dkim_private_key:
        request["DkimSigningAttributes"] = {
            "DomainSigningSelector": dkim_selector,
            # Postbox wants the RSA key as bare base64 (the PEM's body, without its armour lines).
            "DomainSigningPrivateKey": "".join(
                line for line in dkim_private_key.strip().splitlines() if not line.startswith("-----")
            ),
        }
    client.create_email_identity(**request)
    return dict(client.get_email_identity(EmailIdentity=domain))
