"""Fixing: edits, fixpoint, link guard."""
