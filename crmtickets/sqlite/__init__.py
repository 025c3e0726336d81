"""The project's SQLite database backend (`ENGINE = "crmtickets.sqlite"`): Django's own, with
writers queued on a lock that wakes the next one at once (base.py says why)."""
