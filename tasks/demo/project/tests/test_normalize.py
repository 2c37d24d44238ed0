import pytest

from shoplog.normalize import DEFAULT_STATUSES, normalise_email, normalise_events, normalise_name, normalise_status
from shoplog.parser import parse_log


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ann.Lee@Example.com", "ann.lee@example.com"),
        ("  ann.lee@example.com ", "ann.lee@example.com"),
        ("ann.lee+promo@example.com", "ann.lee@example.com"),
        ("ANN.LEE+a+b@EXAMPLE.COM", "ann.lee@example.com"),
        ("a@b", "a@b"),
    ],
)
def test_normalise_email(raw, clean):
    assert normalise_email(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ann  lee", "Ann Lee"),
        ("  BOB   STONE ", "Bob Stone"),
        ("eve o'neil", "Eve O'neil"),
        ("mcDonald", "Mcdonald"),
        ("", ""),
        ("   ", ""),
        ("x", "X"),
    ],
)
def test_normalise_name(raw, clean):
    assert normalise_name(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("paid", "PAID"), (" Shipped ", "SHIPPED"), ("canceled", "CANCELLED"), ("Completed", "DELIVERED"),
     ("complete", "DELIVERED"), ("on hold", "ON_HOLD"), ("", "")],
)
def test_normalise_status(raw, clean):
    assert normalise_status(raw) == clean


def test_normalise_events_sample(sample_lines):
    raw, _ = parse_log(sample_lines)
    events, rejected = normalise_events(raw)
    assert rejected == 1
    assert [ev.order_id for ev in events] == [
        "O0000001", "O0000002", "O0000003", "O0000004", "O0000002", "O0000006",
        "O0000007", "O0000009", "O0000014", "O0000015", "O0000017",
    ]
    assert [ev.email for ev in events] == [
        "ann.lee@example.com", "bob@example.org", "ann.lee@example.com", "cara@example.net",
        "bob@example.org", "dan@example.com", "eve@example.com", "dan@example.com",
        "bob@example.org", "fay@example.com", "bob@example.org",
    ]
    assert [ev.status for ev in events] == [
        "PAID", "SHIPPED", "DELIVERED", "PENDING", "REFUNDED", "PAID", "DELIVERED", "PAID",
        "SHIPPED", "CANCELLED", "DELIVERED",
    ]
    assert events[0].name == "Ann Lee"
    assert events[2].name == ""
    assert events[0].sku == "SKU-0001"
    # Untouched fields survive.
    assert (events[0].day, events[0].hour, events[0].quantity, events[0].unit_price_cents) == ("2024-03-01", 9, 2, 1050)
    assert events[4].kind == "refund"
    assert events[4].customer_id == "C000202"


def test_normalise_events_custom_statuses(sample_lines):
    raw, _ = parse_log(sample_lines)
    events, rejected = normalise_events(raw, ["PAID", "TEST"])
    assert [ev.order_id for ev in events] == ["O0000001", "O0000005", "O0000006", "O0000009"]
    assert rejected == 8
    events, rejected = normalise_events(raw, ("DELIVERED",))
    assert [ev.order_id for ev in events] == ["O0000003", "O0000007", "O0000017"]
    assert rejected == 9
    assert normalise_events(raw, []) == ([], 12)


def test_normalise_events_empty():
    assert normalise_events([]) == ([], 0)


def test_default_statuses():
    assert len(DEFAULT_STATUSES) == 6
    assert sorted(DEFAULT_STATUSES) == ["CANCELLED", "DELIVERED", "PAID", "PENDING", "REFUNDED", "SHIPPED"]
