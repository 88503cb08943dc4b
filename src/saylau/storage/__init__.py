"""Persistence: SQLAlchemy 2 models, the database connection and Alembic migrations.

SQLite is the embedded default (a file in the user's data directory, or ``SAYLAU_DATABASE_URL``);
PostgreSQL runs the same code. Only the services write through these models.
"""
