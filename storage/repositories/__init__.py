"""Repositories: the only code that writes SQL, split by domain.

They take an ``AsyncSession`` factory and return frozen dataclasses, never ORM
rows still bound to a session.
"""
