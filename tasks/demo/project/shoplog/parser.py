"""Reading raw log lines into Event records."""

from __future__ import annotations

import re

from shoplog.models import Event

FIELD_COUNT = 10
KINDS = ("order", "refund")


class ParseError(ValueError):
    """A line that does not follow the log format."""


def parse_price(text: str) -> int:
    """'19.99' -> 1999, '5' -> 500, '0.5' -> 50. Negative or malformed prices are errors."""
    text = text.strip()
    if not text:
        raise ParseError("empty price")
    whole, dot, frac = text.partition(".")
    if not whole.isdigit() or (dot and (not frac.isdigit() or len(frac) > 2)):
        raise ParseError(f"bad price {text!r}")
    cents = int(whole) * 100
    if frac:
        cents += int(frac.ljust(2, "0"))
    return cents


def parse_timestamp(ts: str) -> tuple[str, int]:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$", ts)
    if m is None:
        raise ParseError(f"bad timestamp {ts!r}")
    year, month, day, hour = m.group(1), m.group(2), m.group(3), int(m.group(4))
    if not ("01" <= month <= "12" and "01" <= day <= "31" and hour < 24):
        raise ParseError(f"timestamp out of range {ts!r}")
    return f"{year}-{month}-{day}", hour


def parse_line(line: str) -> Event:
    fields = line.rstrip("\n").split("|")
    if len(fields) != FIELD_COUNT:
        raise ParseError(f"expected {FIELD_COUNT} fields, got {len(fields)}")
    ts, kind, order_id, customer_id, email, name, sku, qty, price, status = fields
    day, hour = parse_timestamp(ts.strip())
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise ParseError(f"unknown event kind {kind!r}")
    qty = qty.strip()
    if not qty.isdigit() or int(qty) == 0:
        raise ParseError(f"bad quantity {qty!r}")
    if "@" not in email:
        raise ParseError(f"bad e-mail {email!r}")
    return Event(
        day=day,
        hour=hour,
        kind=kind,
        order_id=order_id.strip(),
        customer_id=customer_id.strip(),
        email=email,
        name=name,
        sku=sku.strip(),
        quantity=int(qty),
        unit_price_cents=parse_price(price),
        status=status,
    )


def parse_log(lines) -> tuple[list[Event], int]:
    """Parse every non-blank, non-comment line; return (events, number of malformed lines).

    Events keep the order of the log.
    """
    events = []
    malformed = 0
    for line in lines:
        if re.match(r"\s*(#|$)", line):
            continue
        try:
            events.append(parse_line(line))
        except ParseError:
            malformed += 1
    return events, malformed
