"""Compliance rules: pure functions of (requirement, records, today).

Nothing here touches Flask, SQLAlchemy or another tracker layer (an import-linter contract), so a
rule is tested with plain values at its boundaries and gives the same answer to pages, the API, the
CLI, exports and the evidence pack.
"""
