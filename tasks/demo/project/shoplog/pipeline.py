"""The whole job: raw lines in, Report out."""

from __future__ import annotations

from shoplog.customers import build_customers
from shoplog.models import Report
from shoplog.normalize import normalise_events
from shoplog.parser import parse_log
from shoplog.reports import (
    assign_tiers,
    customer_spend,
    daily_revenue,
    rank_customers,
    status_breakdown,
    top_products,
)


def summarize_log(lines, allowed_statuses=None, top_n_products: int = 10) -> Report:
    lines = list(lines)
    raw, malformed = parse_log(lines)
    events, rejected = normalise_events(raw, allowed_statuses)
    report = Report(lines_read=len(lines), malformed=malformed, rejected=rejected, events=events)
    report.customers = build_customers(events)
    report.spend = customer_spend(events)
    report.ranks = rank_customers(report.spend)
    report.tiers = assign_tiers(report.ranks)
    report.daily = daily_revenue(events)
    report.products = top_products(events, top_n_products)
    report.statuses = status_breakdown(events)
    return report
