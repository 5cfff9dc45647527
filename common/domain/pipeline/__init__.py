"""Jobs through the provider: claims, transitions, quotas, capabilities, the webhook, reconcile, the cleanup outbox's
drain."""
