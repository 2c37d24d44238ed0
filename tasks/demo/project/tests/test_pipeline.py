import hashlib

from shoplog import render_customer_table, render_summary, summarize_log
from shoplog.normalize import normalise_email, normalise_name, normalise_status


def reference_summary(lines):
    """A deliberately simple, independent re-implementation of the headline numbers."""
    from shoplog.parser import ParseError, parse_line

    events, malformed, rejected = [], 0, 0
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            ev = parse_line(line)
        except ParseError:
            malformed += 1
            continue
        status = normalise_status(ev.status)
        if status not in {"PAID", "SHIPPED", "DELIVERED", "PENDING", "CANCELLED", "REFUNDED"}:
            rejected += 1
            continue
        events.append((normalise_email(ev.email), normalise_name(ev.name), ev, status))
    spend = {}
    for email, _, ev, status in events:
        amount = 0
        if status in {"PAID", "SHIPPED", "DELIVERED", "REFUNDED"}:
            amount = -ev.amount_cents if ev.kind == "refund" else ev.amount_cents
        spend[email] = spend.get(email, 0) + amount
    ordered = sorted(spend.values(), reverse=True)
    ranks = {k: ordered.index(v) + 1 for k, v in spend.items()}
    return malformed, rejected, len(events), spend, ranks


def test_pipeline_matches_reference(make_random_log):
    for seed in (1, 2, 5):
        lines = make_random_log(seed)
        report = summarize_log(lines)
        malformed, rejected, n_events, spend, ranks = reference_summary(lines)
        assert report.lines_read == len(lines)
        assert (report.malformed, report.rejected, len(report.events)) == (malformed, rejected, n_events)
        assert list(report.spend.items()) == list(spend.items())
        assert report.ranks == ranks
        assert [c.key for c in report.customers] == list(spend)
        assert report.total_revenue_cents == sum(spend.values())


def test_pipeline_golden_output(make_random_log):
    lines = make_random_log(2024, n_people=150, n_lines=3000)
    report = summarize_log(lines)
    summary = render_summary(report)
    table = render_customer_table(report)
    assert summary.splitlines()[2:9] == [
        "lines read         3000",
        "malformed            94",
        "rejected            290",
        "events             2616",
        "customers           150  (96 accounts merged)",
        "net revenue    80418.75",
        "tiers        gold 15, silver 30, bronze 105",
    ]
    assert hashlib.sha256(summary.encode()).hexdigest() == "805acfd6e2247f4f89d23c0ff268f425836a6f3fa49381ab741384193812582c"
    assert hashlib.sha256(table.encode()).hexdigest() == "343332dd53b0171b5340069e9917ea328364c164d6a98f39121455e7d1418040"


def test_pipeline_custom_statuses(sample_lines):
    report = summarize_log(sample_lines, allowed_statuses=["PAID"])
    assert (report.malformed, report.rejected, len(report.events)) == (6, 9, 3)
    assert list(report.spend.items()) == [("ann.lee@example.com", 2100), ("dan@example.com", 10950)]
    assert report.ranks == {"ann.lee@example.com": 2, "dan@example.com": 1}
    assert report.tiers == {"ann.lee@example.com": "bronze", "dan@example.com": "gold"}


def test_pipeline_accepts_generator(sample_lines):
    a = summarize_log(line for line in sample_lines)
    b = summarize_log(sample_lines)
    assert render_summary(a) == render_summary(b)
    assert a.lines_read == 21


def test_pipeline_only_bad_lines():
    report = summarize_log(["nonsense", "a|b|c", "# comment", ""])
    assert (report.lines_read, report.malformed, report.rejected) == (4, 2, 0)
    assert report.customers == [] and report.spend == {} and report.daily == [] and report.products == []
