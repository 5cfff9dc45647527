"""An AssemblyAI-compatible v2 server for local runs and tests (deterministic or pocketsphinx engine)."""
