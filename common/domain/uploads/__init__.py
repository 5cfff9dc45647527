"""Uploads: declare, multipart, accepted copies, object keys, the caller's files."""
