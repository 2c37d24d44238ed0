"""Cleaning up the free-text fields the checkout service writes as the customer typed them."""

from __future__ import annotations

from shoplog.models import Event

DEFAULT_STATUSES = ["PAID", "SHIPPED", "DELIVERED", "PENDING", "CANCELLED", "REFUNDED"]

_STATUS_ALIASES = {
    "CANCELED": "CANCELLED",
    "SHIPPING": "SHIPPED",
    "COMPLETE": "DELIVERED",
    "COMPLETED": "DELIVERED",
}


def normalise_email(email: str) -> str:
    """Lower-case, trim, and drop a '+tag' suffix of the local part: the shop treats
    'Ann+promo@X.org' and 'ann@x.org' as the same person."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def normalise_name(name: str) -> str:
    """Collapse runs of whitespace and capitalise each word: '  mary  SMITH ' -> 'Mary Smith'."""
    words = name.split()
    return " ".join([w[:1].upper() + w[1:].lower() for w in words])


def normalise_status(status: str) -> str:
    status = status.strip().upper().replace(" ", "_")
    return _STATUS_ALIASES.get(status, status)


def normalise_events(events, allowed_statuses=None) -> tuple[list[Event], int]:
    """Return (clean events, number rejected). Events whose status is not one of
    allowed_statuses (after normalisation) are rejected; order is preserved."""
    if allowed_statuses is None:
        allowed_statuses = DEFAULT_STATUSES
    clean = []
    rejected = 0
    for ev in events:
        status = normalise_status(ev.status)
        if status not in allowed_statuses:
            rejected += 1
            continue
        clean.append(
            Event(
                day=ev.day,
                hour=ev.hour,
                kind=ev.kind,
                order_id=ev.order_id,
                customer_id=ev.customer_id,
                email=normalise_email(ev.email),
                name=normalise_name(ev.name),
                sku=ev.sku.upper(),
                quantity=ev.quantity,
                unit_price_cents=ev.unit_price_cents,
                status=status,
            )
        )
    return clean, rejected
