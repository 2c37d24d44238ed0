from shoplog.pipeline import summarize_log
from shoplog.render import format_cents, render_customer_table, render_summary, top_customers

EXPECTED_SUMMARY = """\
Shop log summary
================
lines read           21
malformed             6
rejected              1
events               11
customers             6  (2 accounts merged)
net revenue      442.00
tiers        gold 1, silver 1, bronze 4

Top customers
     1. Ann Lee                  ann.lee@example.com                  318.00
     2. Dan                      dan@example.com                      109.50
     3. Eve O'neil               eve@example.com                        9.00
     4. Bob Stone                bob@example.org                        5.50
     5. Cara Diaz                cara@example.net                       0.00
     5. Fay                      fay@example.com                        0.00

Daily revenue
  2024-02-29        1.00
  2024-03-01      417.00
  2024-03-02      -88.50
  2024-03-03      108.00
  2024-03-04        4.50

Top products
  SKU-0004        6 units       13.50
  SKU-0001        4 units       32.50
  SKU-0002        4 units      396.00

Statuses
  DELIVERED       3
  PAID            3
  SHIPPED         2
  CANCELLED       1
  PENDING         1
  REFUNDED        1
"""

EXPECTED_TABLE = """\
ann.lee@example.com\tAnn Lee\tC000101,C000303\t2024-03-01\t2024-03-01\t2\t318.00\t1\tgold
bob@example.org\tBob Stone\tC000202\t2024-02-29\t2024-03-04\t4\t5.50\t4\tbronze
cara@example.net\tCara Diaz\tC000404\t2024-03-02\t2024-03-02\t1\t0.00\t5\tbronze
dan@example.com\tDan\tC000505,C000707\t2024-03-02\t2024-03-03\t2\t109.50\t2\tsilver
eve@example.com\tEve O'neil\tC000606\t2024-03-03\t2024-03-03\t1\t9.00\t3\tbronze
fay@example.com\tFay\tC000808\t2024-03-04\t2024-03-04\t1\t0.00\t5\tbronze
"""


def test_format_cents():
    assert [format_cents(c) for c in (0, 5, 99, 100, 123456, -5, -8850)] == [
        "0.00", "0.05", "0.99", "1.00", "1234.56", "-0.05", "-88.50",
    ]


def test_render_summary_sample(sample_lines):
    assert render_summary(summarize_log(sample_lines)) == EXPECTED_SUMMARY


def test_render_customer_table_sample(sample_lines):
    assert render_customer_table(summarize_log(sample_lines)) == EXPECTED_TABLE


def test_top_customers_limit_and_tie_order(sample_lines):
    report = summarize_log(sample_lines)
    assert [(rank, c.key, spend) for rank, c, spend in top_customers(report, 3)] == [
        (1, "ann.lee@example.com", 31800), (2, "dan@example.com", 10950), (3, "eve@example.com", 900),
    ]
    assert [c.key for _, c, _ in top_customers(report, 100)][-2:] == ["cara@example.net", "fay@example.com"]


def test_render_summary_top_argument(sample_lines):
    text = render_summary(summarize_log(sample_lines), top=2)
    section = text.split("Top customers\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "     1. Ann Lee                  ann.lee@example.com                  318.00",
        "     2. Dan                      dan@example.com                      109.50",
    ]


def test_render_empty_log():
    report = summarize_log([])
    assert render_summary(report) == (
        "Shop log summary\n"
        "================\n"
        "lines read            0\n"
        "malformed             0\n"
        "rejected              0\n"
        "events                0\n"
        "customers             0  (0 accounts merged)\n"
        "net revenue        0.00\n"
        "tiers        gold 0, silver 0, bronze 0\n"
        "\nTop customers\n"
        "\nDaily revenue\n"
        "\nTop products\n"
        "\nStatuses\n"
    )
    assert render_customer_table(report) == ""
