"""The check session: pipeline, facts cache, worker processes, report formats."""
