"""The cloud on one machine: gateway, S3 with upload triggers, timer, and an AssemblyAI-compatible server."""
