"""Cloud Functions, one folder each; `index.handler` is the entrypoint Yandex Cloud calls."""
