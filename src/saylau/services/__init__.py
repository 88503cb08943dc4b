"""The workflows of the administration, each a transaction with permission checks and audit events.

Every interface (CLI, HTTP API, web pages) calls these services; none writes to the database
itself. A service function takes a :class:`~saylau.services.context.Context` first: the session of
its transaction, the acting user and the clock.
"""
