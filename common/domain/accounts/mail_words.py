"""The reset mail's words in each language of the web app ("en", "ru"); `{email}` and `{minutes}` are filled in."""

# ruff: noqa: RUF001  (Russian text: its Cyrillic letters are meant, not look-alikes of Latin ones)

from __future__ import annotations

RESET_MAIL: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Reset your Transcribe password",
        "asked": "Someone, hopefully you, asked to reset the password of the Transcribe account {email}.",
        "open": "To choose a new password, open this link within {minutes}:",
        "button": "Choose a new password",
        "once": "(the link works once, within {minutes}).",
        "works_once": "The link works once.",
        "ignore": "If you did not ask, ignore this email: your password stays as it is.",
    },
    "ru": {
        "subject": "Сброс пароля Transcribe",
        "asked": "Кто-то (надеемся, что вы) попросил сбросить пароль учётной записи Transcribe {email}.",
        "open": "Чтобы задать новый пароль, откройте эту ссылку в течение {minutes}:",
        "button": "Задать новый пароль",
        "once": "(ссылка сработает один раз в течение {minutes}).",
        "works_once": "Ссылка сработает один раз.",
        "ignore": "Если вы не просили сбросить пароль, просто проигнорируйте это письмо: пароль останется прежним.",
    },
}


def minutes(n: int, language: str) -> str:
    """'30 minutes', '1 minute'; Russian after «в течение» takes the genitive: 1, 21 минуты; 2, 5, 11 минут."""
    if language == "ru":
        return f"{n} минуты" if n % 10 == 1 and n % 100 != 11 else f"{n} минут"
    return f"{n} minute" if n == 1 else f"{n} minutes"
