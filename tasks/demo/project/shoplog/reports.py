"""Aggregates over clean events."""

from __future__ import annotations

import math

from shoplog.customers import unique_customer_keys
from shoplog.models import Event

# Statuses whose money actually changed hands.
BILLED_STATUSES = ("PAID", "SHIPPED", "DELIVERED", "REFUNDED")

TIERS = (("gold", 0.10), ("silver", 0.30))


def signed_amount(ev: Event) -> int:
    """Money in (orders) or out (refunds), in cents; 0 for orders that were never billed."""
    if ev.status not in BILLED_STATUSES:
        return 0
    if ev.kind == "refund":
        return -ev.amount_cents
    return ev.amount_cents


def customer_spend(events) -> dict[str, int]:
    """Net spend per customer key, keys in first-appearance order."""
    spend = {key: 0 for key in unique_customer_keys(events)}
    for ev in events:
        spend[ev.email] += signed_amount(ev)
    return spend


def rank_customers(spend: dict[str, int]) -> dict[str, int]:
    """Competition ranking by net spend ("1224"): a customer's rank is one more than the
    number of customers who spent strictly more."""
    ranks = {}
    for key, total in spend.items():
        ranks[key] = 1 + sum(1 for other in spend.values() if other > total)
    return ranks


def assign_tiers(ranks: dict[str, int]) -> dict[str, str]:
    """gold: rank within the top 10% of customers; silver: top 30%; everyone else bronze."""
    n = len(ranks)
    cutoffs = [(name, math.ceil(n * share)) for name, share in TIERS]
    tiers = {}
    for key in ranks.keys():
        tier = "bronze"
        for name, cutoff in cutoffs:
            if ranks[key] <= cutoff:
                tier = name
                break
        tiers[key] = tier
    return tiers


def daily_revenue(events) -> list[tuple[str, int]]:
    """(day, net revenue in cents) for every day that has at least one event, by day."""
    days = sorted({ev.day for ev in events})
    result = []
    for day in days:
        total = sum([signed_amount(ev) for ev in events if ev.day == day])
        result.append((day, total))
    return result


def top_products(events, n: int = 10) -> list[tuple[str, int, int]]:
    """(sku, units sold, net revenue) for the n best-selling SKUs by units; ties by sku."""
    units: dict[str, int] = {}
    revenue: dict[str, int] = {}
    for ev in events:
        amount = signed_amount(ev)
        if amount == 0:
            continue
        sign = 1 if amount > 0 else -1
        units[ev.sku] = units.get(ev.sku, 0) + sign * ev.quantity
        revenue[ev.sku] = revenue.get(ev.sku, 0) + amount
    rows = [(sku, units[sku], revenue[sku]) for sku in units.keys()]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return rows[:n]


def status_breakdown(events) -> list[tuple[str, int]]:
    """(status, event count), most frequent first; ties alphabetical."""
    counts: dict[str, int] = {}
    for ev in events:
        counts[ev.status] = counts.get(ev.status, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
