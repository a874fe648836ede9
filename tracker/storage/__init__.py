"""The database: the SQLAlchemy handle and column types (storage.db) and the typed models
(storage.models); the schema itself changes only through Alembic migrations (tracker/migrations)."""
