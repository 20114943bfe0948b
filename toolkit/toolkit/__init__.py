"""What every 双报到 service needs the same way: configuration, the database provider, the
transactional outbox and its relay, the idempotent inbox, metrics and remote errors."""
