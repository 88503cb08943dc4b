"""Open data in standard forms (issue #5 §4): the NIST SP 1500-100 Election Results Reporting
export (:mod:`saylau.opendata.nist`) and the whole-election protocol table
(:mod:`saylau.opendata.protocols`).

An interface layer like the CLI and the web: it reads through the services and the storage models
and serves every interface (``saylau export …``, the ``/data/…`` routes, the static publication).
Only definitive protocols are published (CL art. 43); synthetic demo data is marked as such.
"""
