"""The administration's domain vocabulary: roles, commission levels and the state machines.

Pure Python (no storage, no I/O), shared by the storage models and the services. The electoral rules
themselves live in :mod:`saylau.law`; this package holds what the administration adds around them.
"""
