from shoplog.customers import build_customers, merged_account_count, unique_customer_keys
from shoplog.models import Customer, Event
from shoplog.normalize import normalise_events
from shoplog.parser import parse_log


def ev(email, day="2024-03-01", customer_id="C1", name="", order_id="O1"):
    return Event(day=day, hour=0, kind="order", order_id=order_id, customer_id=customer_id, email=email,
                 name=name, sku="SKU-1", quantity=1, unit_price_cents=100, status="PAID")


def clean(lines):
    return normalise_events(parse_log(lines)[0])[0]


def test_unique_keys_first_appearance_order():
    events = [ev("c@x"), ev("a@x"), ev("c@x"), ev("b@x"), ev("a@x"), ev("d@x"), ev("b@x")]
    keys = unique_customer_keys(events)
    assert type(keys) is list
    assert keys == ["c@x", "a@x", "b@x", "d@x"]


def test_unique_keys_empty_and_single():
    assert unique_customer_keys([]) == []
    assert unique_customer_keys([ev("a@x")] * 5) == ["a@x"]


def test_unique_keys_many():
    emails = [f"user{i % 37}@x" for i in range(500)]
    assert unique_customer_keys([ev(e) for e in emails]) == [f"user{i}@x" for i in range(37)]


def test_unique_keys_accepts_iterator():
    assert unique_customer_keys(iter([ev("b@x"), ev("a@x"), ev("b@x")])) == ["b@x", "a@x"]


def test_build_customers_sample(sample_lines):
    customers = build_customers(clean(sample_lines))
    assert customers == [
        Customer("ann.lee@example.com", "Ann Lee", ("C000101", "C000303"), "2024-03-01", "2024-03-01", 2),
        Customer("bob@example.org", "Bob Stone", ("C000202",), "2024-02-29", "2024-03-04", 4),
        Customer("cara@example.net", "Cara Diaz", ("C000404",), "2024-03-02", "2024-03-02", 1),
        Customer("dan@example.com", "Dan", ("C000505", "C000707"), "2024-03-02", "2024-03-03", 2),
        Customer("eve@example.com", "Eve O'neil", ("C000606",), "2024-03-03", "2024-03-03", 1),
        Customer("fay@example.com", "Fay", ("C000808",), "2024-03-04", "2024-03-04", 1),
    ]
    assert merged_account_count(customers) == 2


def test_build_customers_name_and_accounts():
    events = [
        ev("a@x", customer_id="C9", name=""),
        ev("a@x", customer_id="C2", name="Second"),
        ev("a@x", customer_id="C9", name="Third"),
        ev("a@x", customer_id="C1", name=""),
        ev("a@x", customer_id="C2", name=""),
    ]
    (customer,) = build_customers(events)
    assert customer.name == "Second"
    assert customer.account_ids == ("C9", "C2", "C1")
    assert customer.event_count == 5


def test_build_customers_no_name():
    (customer,) = build_customers([ev("a@x"), ev("a@x")])
    assert customer.name == ""


def test_build_customers_dates_are_min_and_max_not_first_and_last():
    events = [ev("a@x", day="2024-03-05"), ev("a@x", day="2024-02-10"), ev("a@x", day="2024-04-01"),
              ev("a@x", day="2024-03-01")]
    (customer,) = build_customers(events)
    assert (customer.first_seen, customer.last_seen) == ("2024-02-10", "2024-04-01")


def test_build_customers_empty():
    assert build_customers([]) == []
    assert merged_account_count([]) == 0


def test_build_customers_order_and_counts(make_random_log):
    events = clean(make_random_log(7))
    customers = build_customers(events)
    expected_keys = list(dict.fromkeys(e.email for e in events))
    assert [c.key for c in customers] == expected_keys
    assert sum(c.event_count for c in customers) == len(events)
    for c in customers:
        history = [e for e in events if e.email == c.key]
        assert c.account_ids == tuple(dict.fromkeys(e.customer_id for e in history))
        assert c.first_seen == min(e.day for e in history)
        assert c.last_seen == max(e.day for e in history)
        assert c.name == next((e.name for e in history if e.name), "")
