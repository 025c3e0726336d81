"""The project's PostgreSQL database backend (`ENGINE = "crmtickets.postgresql"`): Django's own,
sending fewer messages per transaction (base.py)."""
