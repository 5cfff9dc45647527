"""An AssemblyAI-compatible v2 server for local runs and tests (a deterministic engine, or Whisper base offline)."""
