"""Yandex SpeechKit's v3 asynchronous recognition REST API on loopback, backed by the offline engines."""
