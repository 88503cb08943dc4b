"""The demonstration election: a deterministic, realistic national election calibrated on 2023.

Everything it invents (precincts, people, votes) is marked ``synthetic``. It runs through the real
services, exactly as a commission would, so the demo also exercises every workflow.
"""
