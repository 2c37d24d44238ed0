import random

import pytest

SAMPLE_LOG = """\
# checkout-service event log v2
2024-03-01T09:15:00|order|O0000001|C000101|Ann.Lee@Example.com|ann  lee|sku-0001|2|10.50|paid
2024-03-01T10:00:00|order|O0000002|C000202|bob@example.org|BOB STONE|sku-0002|1|99|shipped
2024-03-01T11:30:00|order|O0000003|C000303|ann.lee+promo@example.com||sku-0002|3|99.00|delivered

2024-03-02T08:00:00|order|O0000004|C000404|cara@example.net|cara diaz|sku-0003|1|5.5|pending
2024-03-02T08:05:00|order|O0000005|C000404|cara@example.net|cara diaz|sku-0003|1|5.50|test
2024-03-02T09:00:00|refund|O0000002|C000202|Bob@Example.org|bob stone|sku-0002|1|99.00|refunded
2024-03-02T09:30:00|order|O0000006|C000505|dan@example.com|dan|sku-0001|1|10.50|paid
   # re-sent after outage
2024-03-03T12:00:00|order|O0000007|C000606|  Eve@Example.com |eve o'neil|sku-0004|4|2.25|Completed
2024-03-03T13:00:00|order|O0000008|C000101|ann.lee@example.com|Ann Lee|sku-0001|0|10.50|paid
2024-03-03T14:00:00|order|O0000009|C000707|DAN@example.com|Dan Ray|sku-0002|1|99.00|paid
2024-03-03 15:00:00|order|O0000010|C000808|fay@example.com|fay|sku-0005|1|20.00|paid
2024-03-03T15:30:00|order|O0000011|C000808|fay@example.com|fay|sku-0005|1|20,00|paid
2024-03-03T16:00:00|order|O0000012|C000909|gus@example.com|gus|sku-0001|2|10.50
2024-03-03T17:00:00|exchange|O0000013|C000909|gus@example.com|gus|sku-0001|2|10.50|paid
2024-03-04T10:00:00|order|O0000014|C000202|bob@example.org|Bob Stone|sku-0004|2|2.25|shipped
2024-03-04T11:00:00|order|O0000015|C000808|fay@example.com|fay|sku-0005|1|20.00|canceled
2024-13-02T11:00:00|order|O0000016|C000303|ann@example.com|ann|sku-0005|1|20.00|paid
2024-02-29T23:59:00|order|O0000017|C000202|bob@example.org|Bob Stone|sku-0001|1|1.00|delivered
"""


@pytest.fixture
def sample_lines():
    return SAMPLE_LOG.splitlines()


FIRST = ["ann", "bob", "cara", "dan", "eve", "fay", "gus", "hal"]
LAST = ["lee", "stone", "diaz", "ray", "o'neil", "kim"]


def random_log(seed: int, n_people: int = 60, n_lines: int = 800) -> list[str]:
    """A messy log: duplicate accounts, address variants, refunds, junk statuses, bad lines."""
    rng = random.Random(seed)
    people = []
    for i in range(n_people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        accounts = [f"C{rng.randrange(1000):04d}" for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        people.append((first, last, f"{first}.{last}{i}@ex.com", accounts))
    statuses = ["paid", "shipped", "delivered", "pending", "cancelled", "canceled",
                "refunded", "Complete", "on hold", "PAID"]
    lines = []
    for n in range(n_lines):
        first, last, email, accounts = rng.choice(people)
        if rng.random() < 0.3:
            local, domain = email.split("@")
            email = rng.choice([email.upper(), f"{local}+t@{domain}", f" {email} "])
        status = rng.choice(statuses)
        kind = "refund" if status == "refunded" and rng.random() < 0.7 else "order"
        day = f"2024-0{rng.randint(3, 4)}-{rng.randint(1, 28):02d}"
        cents = rng.randint(1, 5000)
        price = f"{cents // 100}.{cents % 100:02d}" if rng.random() < 0.9 else str(cents // 100)
        line = "|".join([
            f"{day}T{rng.randrange(24):02d}:00:00", kind, f"O{n:05d}", rng.choice(accounts),
            email, rng.choice([f"{first} {last}", f" {first.upper()}  {last} ", ""]),
            f"sku-{rng.randrange(15):02d}", str(rng.randint(1, 4)), price, status,
        ])
        if rng.random() < 0.03:
            line = line.replace("|", ";", 1)
        lines.append(line)
    return lines


@pytest.fixture
def make_random_log():
    return random_log
