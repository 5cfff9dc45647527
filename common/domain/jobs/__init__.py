"""The jobs API: create, list and read (the hand-tuned read path), delete, retry."""
