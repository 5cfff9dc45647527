"""The domain, by capability (accounts, pipeline, uploads, jobs, transcripts), and its vocabulary (errors, schemas,
languages, sizes). Never imports the edge; uses the adapters and the store (docs/architecture.md)."""
