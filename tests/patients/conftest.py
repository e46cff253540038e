from .smtp import smtp_server, smtp_settings  # noqa: F401 - fixtures for the outbox tests
