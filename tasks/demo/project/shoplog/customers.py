"""Merging shop accounts into customers.

People sign up more than once (guest checkout, a second account after a forgotten password,
'+tag' addresses). Two accounts belong to the same customer when their normalised e-mail
addresses are equal.
"""

from __future__ import annotations

from shoplog.models import Customer, Event


def unique_customer_keys(events) -> list[str]:
    """The distinct customer keys, in the order each first appears in the log."""
    seen = []
    for ev in events:
        key = ev.email
        if key not in seen:
            seen.append(key)
    return seen


def _pick_name(events: list[Event]) -> str:
    for ev in events:
        if ev.name:
            return ev.name
    return ""


def build_customers(events) -> list[Customer]:
    """One Customer per key, in first-appearance order."""
    keys = unique_customer_keys(events)
    grouped: dict[str, list[Event]] = {key: [] for key in keys}
    for ev in events:
        grouped[ev.email].append(ev)

    customers = []
    for key in keys:
        history = grouped[key]
        account_ids = []
        for ev in history:
            if ev.customer_id not in account_ids:
                account_ids.append(ev.customer_id)
        days = [ev.day for ev in history]
        customers.append(
            Customer(
                key=key,
                name=_pick_name(history),
                account_ids=tuple(account_ids),
                first_seen=sorted(days)[0],
                last_seen=sorted(days)[-1],
                event_count=len(history),
            )
        )
    return customers


def merged_account_count(customers) -> int:
    """How many accounts were folded into another one."""
    return sum([len(c.account_ids) - 1 for c in customers])
