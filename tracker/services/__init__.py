"""Use cases shared by the pages, the JSON API and the ``flask`` commands.

Each takes plain values (never the request), writes through the storage layer with its audit
event in the same transaction, and leaves every status judgement to tracker.rules.
"""
