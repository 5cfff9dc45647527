"""The store: engine and transactions, models, the migrations runner, the outbox. Never imports the domain or the
adapters."""
