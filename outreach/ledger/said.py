"""The key and values of a delivery's reason (outreach/said.py), kept beside its text.

deliveries.reason keeps the English sentence (the CLI, the admin bot, rows from
before); table delivery_said keeps its Said, written in the same transaction as
the reason by the statements that write one (the delivery loop's failures).
A statement that changes a reason without a Said (a pause, an organiser's note)
leaves an old one behind: `worded` uses a Said only while it still makes the
row's text, so the text is what is shown then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from ..said import Said, stored
from .schema import DELIVERY_SAID as S
from .values import Delivery


def said_columns(column: str, text: Any) -> dict[str, Any]:
    """`{column: text, column_said: its key and values}` for a table that keeps them in a
    column (post_actions.detail): None there when the text is not a Said."""
    said = text.to_json() if isinstance(text, Said) else None
    return {column: None if text is None else str(text), f"{column}_said": said}


def record_reason(conn: Connection, delivery_id: int, reason: Any) -> None:
    """Keep `reason`'s key and values when it is a Said (same transaction as the reason)."""
    if isinstance(reason, Said):
        conn.execute(delete(S).where(S.c.delivery_id == delivery_id))
        conn.execute(insert(S).values(delivery_id=delivery_id, said=reason.to_json()))


class Worded:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def worded(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """The rows with each reason as its Said where one was kept and still fits."""
        ids = [d.id for d in deliveries if d.reason]
        if not ids:
            return list(deliveries)
        q = select(S.c.delivery_id, S.c.said).where(S.c.delivery_id.in_(ids))
        with self.engine.connect() as conn:
            kept = {i: said for i, said in conn.execute(q)}
        # a fixed sentence (said.py) is worded even where no Said was kept
        return [
            replace(d, reason=stored(d.reason, kept.get(d.id))) if d.reason else d
            for d in deliveries
        ]
