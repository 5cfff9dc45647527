"""Transcribe's domain logic, models and adapters, shared by every cloud function."""
