"""Plain data records passed between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """One line of the log. Money is kept in integer cents throughout."""

    day: str  # "YYYY-MM-DD"
    hour: int
    kind: str  # "order" or "refund"
    order_id: str
    customer_id: str
    email: str
    name: str
    sku: str
    quantity: int
    unit_price_cents: int
    status: str

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True)
class Customer:
    """A person, possibly behind several shop accounts that share one e-mail address."""

    key: str  # normalised e-mail address
    name: str
    account_ids: tuple[str, ...]
    first_seen: str
    last_seen: str
    event_count: int


@dataclass
class Report:
    lines_read: int = 0
    malformed: int = 0
    rejected: int = 0
    events: list[Event] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    spend: dict[str, int] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)
    daily: list[tuple[str, int]] = field(default_factory=list)
    products: list[tuple[str, int, int]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_revenue_cents(self) -> int:
        return sum(self.spend.values())
