import pytest

from shoplog.parser import ParseError, parse_line, parse_log, parse_price, parse_timestamp

LINE = "2024-03-05T14:22:01|order|O0000123| C01234 |Alice.Smith@Example.com|alice  smith| sku-0042 |2|19.99|paid"


def test_parse_line_fields():
    ev = parse_line(LINE)
    assert ev.day == "2024-03-05"
    assert ev.hour == 14
    assert ev.kind == "order"
    assert ev.order_id == "O0000123"
    assert ev.customer_id == "C01234"
    # Free-text fields are kept as written; normalisation is a separate step.
    assert ev.email == "Alice.Smith@Example.com"
    assert ev.name == "alice  smith"
    assert ev.sku == "sku-0042"
    assert ev.quantity == 2
    assert ev.unit_price_cents == 1999
    assert ev.amount_cents == 3998
    assert ev.status == "paid"


def test_parse_line_strips_newline_and_kind_case():
    ev = parse_line(LINE.replace("|order|", "|REFUND|") + "\n")
    assert ev.kind == "refund"
    assert ev.status == "paid"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("19.99", 1999), ("5", 500), ("0.5", 50), ("0.05", 5), (" 7.10 ", 710), ("0", 0), ("1200.00", 120000)],
)
def test_parse_price(text, cents):
    assert parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "  ", "19,99", "-1.00", "1.999", "abc", "1.", ".5", "1.2.3"])
def test_parse_price_rejects(text):
    with pytest.raises(ParseError):
        parse_price(text)


def test_parse_timestamp():
    assert parse_timestamp("2024-12-31T23:59:59") == ("2024-12-31", 23)
    assert parse_timestamp("2024-01-01T00:00:00") == ("2024-01-01", 0)


@pytest.mark.parametrize(
    "ts",
    ["2024-03-05 14:22:01", "2024-13-01T00:00:00", "2024-00-10T00:00:00", "2024-03-32T00:00:00",
     "2024-03-05T24:00:00", "2024-03-05T14:22:01Z", "24-03-05T14:22:01", ""],
)
def test_parse_timestamp_rejects(ts):
    with pytest.raises(ParseError):
        parse_timestamp(ts)


@pytest.mark.parametrize(
    "line",
    [
        LINE.replace("|paid", ""),  # too few fields
        LINE + "|extra",
        LINE.replace("|order|", "|exchange|"),
        LINE.replace("|2|19.99|", "|0|19.99|"),
        LINE.replace("|2|19.99|", "|-2|19.99|"),
        LINE.replace("|2|19.99|", "|two|19.99|"),
        LINE.replace("Alice.Smith@Example.com", "alice.smith"),
        LINE.replace("19.99", "19,99"),
    ],
)
def test_parse_line_rejects(line):
    with pytest.raises(ParseError):
        parse_line(line)


def test_parse_log_counts_and_order(sample_lines):
    events, malformed = parse_log(sample_lines)
    assert malformed == 6
    assert [ev.order_id for ev in events] == [
        "O0000001", "O0000002", "O0000003", "O0000004", "O0000005", "O0000002",
        "O0000006", "O0000007", "O0000009", "O0000014", "O0000015", "O0000017",
    ]


def test_parse_log_skips_blank_and_comment_lines():
    lines = ["", "   ", "# header", "  # indented comment", "\t", LINE, "#" + LINE]
    events, malformed = parse_log(lines)
    assert malformed == 0
    assert len(events) == 1


def test_parse_log_empty():
    assert parse_log([]) == ([], 0)
    assert parse_log(iter(())) == ([], 0)


def test_parse_log_accepts_iterator():
    events, malformed = parse_log(iter([LINE, "garbage", LINE]))
    assert (len(events), malformed) == (2, 1)
