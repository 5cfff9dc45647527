"""Transcripts: edits that keep timings, speaker names, formats and exports, search."""
