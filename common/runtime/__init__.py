"""What every layer may use: the container's settings, its logs, and the redaction of secrets in both. Imports nothing
else of common."""
