"""shoplog: turn a shop's raw order event log into a sales summary.

The log is written by the checkout service, one event per line::

    2024-03-05T14:22:01|order|O0000123|C01234|Alice.Smith@Example.com|alice  smith|SKU-0042|2|19.99|paid

Typical use::

    from shoplog import summarize_log
    report = summarize_log(path.read_text().splitlines())
    print(render_summary(report))
"""

from shoplog.customers import build_customers, unique_customer_keys
from shoplog.models import Customer, Event, Report
from shoplog.normalize import DEFAULT_STATUSES, normalise_email, normalise_events, normalise_name
from shoplog.parser import ParseError, parse_line, parse_log, parse_price
from shoplog.pipeline import summarize_log
from shoplog.render import render_customer_table, render_summary
from shoplog.reports import (
    assign_tiers,
    customer_spend,
    daily_revenue,
    rank_customers,
    signed_amount,
    status_breakdown,
    top_products,
)

__version__ = "0.3.1"

__all__ = [
    "DEFAULT_STATUSES",
    "Customer",
    "Event",
    "ParseError",
    "Report",
    "assign_tiers",
    "build_customers",
    "customer_spend",
    "daily_revenue",
    "normalise_email",
    "normalise_events",
    "normalise_name",
    "parse_line",
    "parse_log",
    "parse_price",
    "rank_customers",
    "render_customer_table",
    "render_summary",
    "signed_amount",
    "status_breakdown",
    "summarize_log",
    "top_products",
    "unique_customer_keys",
]
