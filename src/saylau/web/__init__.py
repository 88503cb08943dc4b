"""The HTTP interface: a JSON API (OpenAPI at ``/openapi.json``) and server-rendered pages.

It only calls the services; every write goes through :func:`saylau.services.context.execute`, so
permissions, transactions and the audit chain are the same as from the command line.
"""
