"""Who may do what in the web console: viewer < organiser < admin.

viewer     sees the queue, the history and the status
organiser  also composes announcements, cancels, retries and resolves deliveries
admin      also pauses and resumes, takes down, and manages the console's users
"""

from __future__ import annotations

from typing import Literal

Role = Literal["viewer", "organiser", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "organiser", "admin")


def allows(role: str, needed: Role) -> bool:
    """Whether `role` may do what needs `needed` (an unknown role may do nothing)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)
