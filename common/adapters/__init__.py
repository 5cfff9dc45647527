"""The outside services (S3, AssemblyAI, Postbox, URL checks), each behind the few methods the domain calls; built on
first use (services.py). Never imports the domain or the store."""
