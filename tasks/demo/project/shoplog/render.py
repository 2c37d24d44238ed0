"""Plain-text rendering of a Report."""

from __future__ import annotations

from shoplog.customers import merged_account_count
from shoplog.models import Report


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def top_customers(report: Report, n: int = 10):
    """(rank, customer, spend) for the n biggest spenders; ties by key."""
    by_key = {c.key: c for c in report.customers}
    keys = sorted(report.spend, key=lambda k: (report.ranks[k], k))
    return [(report.ranks[k], by_key[k], report.spend[k]) for k in keys[:n]]


def render_summary(report: Report, top: int = 10) -> str:
    tier_counts = {"gold": 0, "silver": 0, "bronze": 0}
    for tier in report.tiers.values():
        tier_counts[tier] += 1

    out = "Shop log summary\n"
    out += "================\n"
    out += f"lines read   {report.lines_read:>10}\n"
    out += f"malformed    {report.malformed:>10}\n"
    out += f"rejected     {report.rejected:>10}\n"
    out += f"events       {len(report.events):>10}\n"
    out += f"customers    {len(report.customers):>10}  ({merged_account_count(report.customers)} accounts merged)\n"
    out += f"net revenue  {format_cents(report.total_revenue_cents):>10}\n"
    out += "tiers        " + ", ".join(f"{name} {count}" for name, count in tier_counts.items()) + "\n"

    out += "\nTop customers\n"
    for rank, customer, spend in top_customers(report, top):
        out += f"  {rank:>4}. {customer.name:<24} {customer.key:<32} {format_cents(spend):>10}\n"

    out += "\nDaily revenue\n"
    for day, cents in report.daily:
        out += f"  {day}  {format_cents(cents):>10}\n"

    out += "\nTop products\n"
    for sku, units, cents in report.products:
        out += f"  {sku:<10} {units:>6} units  {format_cents(cents):>10}\n"

    out += "\nStatuses\n"
    for status, count in report.statuses:
        out += f"  {status:<10} {count:>6}\n"
    return out


def render_customer_table(report: Report) -> str:
    """One line per customer, in first-appearance order: key, name, accounts, dates, spend, rank, tier."""
    table = ""
    for c in report.customers:
        table += (
            f"{c.key}\t{c.name}\t{','.join(c.account_ids)}\t{c.first_seen}\t{c.last_seen}\t"
            f"{c.event_count}\t{format_cents(report.spend.get(c.key, 0))}\t"
            f"{report.ranks.get(c.key, 0)}\t{report.tiers.get(c.key, '-')}\n"
        )
    return table
