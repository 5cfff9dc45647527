"""Postbox on one machine: moto's SES v2 server over HTTP, and a page listing the mail it was asked to send.

The functions send with boto3's `sesv2` client exactly as in the cloud; only the endpoint differs. A developer opens
the page (`/`) to read the mail and click its links (a password reset); tests read `/messages.json`.

moto keeps SES state per AWS region and knows no `ru-central1`: requests signed for Postbox's region are handed to
moto as `us-east-1` (moto does not check SES signatures, so rewriting the credential scope changes nothing else).
"""

# ruff: noqa: RUF001  (the page's Russian words: their Cyrillic letters are meant)

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

REGION = "ru-central1"
_MOTO_REGION = "us-east-1"
_LINK = re.compile(r"""href=["']([^"']+)["']""")


def sent_messages() -> list[dict[str, Any]]:
    """Everything sent so far, newest first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][_MOTO_REGION]
    out = []
    for message in reversed(backend.sent_messages):
        to = [a for addresses in getattr(message, "destinations", {}).values() for a in addresses]
        body = str(getattr(message, "body", ""))
        out.append(
            {
                "id": message.id,
                "from": getattr(message, "source", ""),
                "to": to,
                "subject": getattr(message, "subject", ""),
                "html": body,
                "links": [html.unescape(link) for link in _LINK.findall(body)],
            }
        )
    return out


def _links_open_on_top(body: str) -> str:
    return f'<base target="_top">{body}'  # the parser moves a leading <base> into the head


# The page's own words, in the language the browser asks for first (English, or Russian).
_WORDS = {
    "en": {
        "title": "Local mail · Transcribe",
        "heading": "Mail sent by the local cloud",
        "intro": "Postbox stands in here; nothing leaves this machine.",
        "meta": "to {to} · from {sender}",
        "empty": "No mail sent yet. Ask for a password reset in the web app, then reload this page.",
        "frame": "message",
    },
    "ru": {
        "title": "Локальная почта · Transcribe",
        "heading": "Письма, отправленные локальным облаком",
        "intro": "Здесь Postbox заменён заглушкой; письма не покидают этот компьютер.",
        "meta": "кому {to} · от {sender}",
        "empty": "Писем пока нет. Запросите сброс пароля в веб-приложении и обновите эту страницу.",
        "frame": "письмо",
    },
}


def page_language(accept_language: str) -> str:
    """The first of the browser's languages (Accept-Language, in its order) that the page has; else English."""
    for part in accept_language.split(","):
        primary = part.split(";")[0].strip().lower().split("-")[0]
        if primary in _WORDS:
            return primary
    return "en"


def _page(messages: list[dict[str, Any]], language: str = "en") -> bytes:
    words = _WORDS[language]
    items = []
    for m in messages:
        links = "".join(f'<li><a href="{html.escape(u)}">{html.escape(u[:90])}…</a></li>' for u in m["links"])
        meta = words["meta"].format(to=html.escape(", ".join(m["to"])), sender=html.escape(m["from"]))
        items.append(
            "<article>"
            f"<h2>{html.escape(m['subject'])}</h2>"
            f"<p class=meta>{meta}</p>"
            # The body is the sender's HTML, shown sandboxed (no scripts); a click on one of its links opens the page
            # in this tab, top-level, where the app can run (inside the sandbox it would load blank).
            f'<iframe sandbox="allow-top-navigation-by-user-activation" title="{words["frame"]}" '
            f'srcdoc="{html.escape(_links_open_on_top(m["html"]))}"></iframe>'
            f"<ul class=links>{links}</ul></article>"
        )
    empty = f"<p>{words['empty']}</p>"
    return (
        f"<!doctype html><html lang={language}><head><meta charset=utf-8><title>{words['title']}</title>"
        "<style>body{font:15px system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
        "article{border:1px solid #ccc;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}"
        "iframe{width:100%;height:9rem;border:0;background:#fafafa}.meta{color:#555}</style></head><body>"
        f"<h1>{words['heading']}</h1><p>{words['intro']}</p>"
        f"{''.join(items) or empty}</body></html>"
    ).encode()


class MailServer:
    """moto's SES v2 app on a real port, plus the mail page; state lives in this process."""

    def __init__(self, host: str, port: int) -> None:
        from moto.server import create_backend_app

        self._moto = create_backend_app("sesv2")
        self._server: BaseWSGIServer = make_server(host, port, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="mail", daemon=True)

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if method == "GET" and path in ("/", "/messages.json"):
            messages = sent_messages()
            as_json = path.endswith(".json")
            language = page_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
            body = json.dumps(messages).encode() if as_json else _page(messages, language)
            kind = "application/json" if as_json else "text/html; charset=utf-8"
            start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
            return [body]
        auth = environ.get("HTTP_AUTHORIZATION", "")
        environ["HTTP_AUTHORIZATION"] = auth.replace(f"/{REGION}/ses/", f"/{_MOTO_REGION}/ses/")
        return self._moto(environ, start_response)  # type: ignore[no-any-return]

    @property
    def endpoint(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
