"""The SQL database: models, migrations, engine and the api every layer calls.

Code outside this package uses ``nova.db.api`` (and ``nova.db.migration`` for
schema versions) only, so that queries and transactions live in one place.
"""
