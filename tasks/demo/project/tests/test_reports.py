from shoplog.models import Event
from shoplog.normalize import normalise_events
from shoplog.parser import parse_log
from shoplog.reports import (
    assign_tiers,
    customer_spend,
    daily_revenue,
    rank_customers,
    signed_amount,
    status_breakdown,
    top_products,
)


def ev(email="a@x", day="2024-03-01", kind="order", status="PAID", sku="SKU-1", qty=1, cents=100):
    return Event(day=day, hour=0, kind=kind, order_id="O1", customer_id="C1", email=email, name="",
                 sku=sku, quantity=qty, unit_price_cents=cents, status=status)


def clean(lines):
    return normalise_events(parse_log(lines)[0])[0]


def test_signed_amount():
    assert signed_amount(ev(qty=3, cents=250)) == 750
    assert signed_amount(ev(kind="refund", status="REFUNDED", qty=2, cents=100)) == -200
    assert signed_amount(ev(status="SHIPPED")) == 100
    assert signed_amount(ev(status="DELIVERED")) == 100
    assert signed_amount(ev(status="PENDING")) == 0
    assert signed_amount(ev(status="CANCELLED")) == 0
    # An order line whose status says refunded still counts as money in; only refund events subtract.
    assert signed_amount(ev(status="REFUNDED")) == 100


def test_customer_spend_sample(sample_lines):
    spend = customer_spend(clean(sample_lines))
    assert list(spend.items()) == [
        ("ann.lee@example.com", 31800),
        ("bob@example.org", 550),
        ("cara@example.net", 0),
        ("dan@example.com", 10950),
        ("eve@example.com", 900),
        ("fay@example.com", 0),
    ]


def test_customer_spend_includes_zero_and_negative():
    events = [ev("b@x", status="PENDING"), ev("a@x", kind="refund", status="REFUNDED", cents=500), ev("b@x")]
    assert list(customer_spend(events).items()) == [("b@x", 100), ("a@x", -500)]
    assert customer_spend([]) == {}


def test_rank_customers_competition_ranking():
    spend = {"a": 50, "b": 300, "c": 50, "d": 0, "e": 300, "f": -20, "g": 120}
    ranks = rank_customers(spend)
    assert ranks == {"a": 4, "b": 1, "c": 4, "d": 6, "e": 1, "f": 7, "g": 3}
    assert list(ranks) == list(spend)


def test_rank_customers_edge_cases():
    assert rank_customers({}) == {}
    assert rank_customers({"solo": 0}) == {"solo": 1}
    assert rank_customers({"a": 5, "b": 5, "c": 5}) == {"a": 1, "b": 1, "c": 1}


def test_rank_customers_large(make_random_log):
    spend = customer_spend(clean(make_random_log(3)))
    ranks = rank_customers(spend)
    values = list(spend.values())
    for key, total in spend.items():
        assert ranks[key] == 1 + len([v for v in values if v > total])


def test_assign_tiers():
    ranks = {f"c{i}": i + 1 for i in range(20)}
    tiers = assign_tiers(ranks)
    assert list(tiers) == list(ranks)
    assert [tiers[f"c{i}"] for i in range(20)] == ["gold"] * 2 + ["silver"] * 4 + ["bronze"] * 14


def test_assign_tiers_rounds_up_and_ties():
    assert assign_tiers({"a": 1}) == {"a": "gold"}
    assert assign_tiers({"a": 1, "b": 2, "c": 2, "d": 4, "e": 5}) == {
        "a": "gold", "b": "silver", "c": "silver", "d": "bronze", "e": "bronze",
    }
    assert assign_tiers({}) == {}


def test_daily_revenue_sample(sample_lines):
    assert daily_revenue(clean(sample_lines)) == [
        ("2024-02-29", 100),
        ("2024-03-01", 41700),
        ("2024-03-02", -8850),
        ("2024-03-03", 10800),
        ("2024-03-04", 450),
    ]


def test_daily_revenue_sorted_and_keeps_zero_days():
    events = [ev(day="2024-03-03"), ev(day="2024-03-01", status="PENDING"), ev(day="2024-03-03", cents=5),
              ev(day="2024-02-28", kind="refund", status="REFUNDED")]
    assert daily_revenue(events) == [("2024-02-28", -100), ("2024-03-01", 0), ("2024-03-03", 105)]
    assert daily_revenue([]) == []


def test_daily_revenue_matches_total(make_random_log):
    events = clean(make_random_log(11))
    daily = daily_revenue(events)
    assert [d for d, _ in daily] == sorted({e.day for e in events})
    assert sum(c for _, c in daily) == sum(customer_spend(events).values())


def test_top_products_sample(sample_lines):
    assert top_products(clean(sample_lines)) == [
        ("SKU-0004", 6, 1350),
        ("SKU-0001", 4, 3250),
        ("SKU-0002", 4, 39600),
    ]
    assert top_products(clean(sample_lines), 2) == [("SKU-0004", 6, 1350), ("SKU-0001", 4, 3250)]


def test_top_products_ties_refunds_and_limit():
    events = [ev(sku="B", qty=2), ev(sku="A", qty=2, cents=10), ev(sku="C", qty=5),
              ev(sku="C", qty=4, kind="refund", status="REFUNDED"), ev(sku="D", qty=9, status="PENDING")]
    assert top_products(events) == [("A", 2, 20), ("B", 2, 200), ("C", 1, 100)]
    assert top_products(events, 1) == [("A", 2, 20)]
    assert top_products(events, 0) == []
    assert top_products([]) == []


def test_status_breakdown():
    events = [ev(status="PAID"), ev(status="SHIPPED"), ev(status="PAID"), ev(status="CANCELLED"),
              ev(status="SHIPPED"), ev(status="PENDING")]
    assert status_breakdown(events) == [("PAID", 2), ("SHIPPED", 2), ("CANCELLED", 1), ("PENDING", 1)]
    assert status_breakdown([]) == []
