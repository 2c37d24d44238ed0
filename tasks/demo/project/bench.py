"""Benchmark: summarise a synthetic three-month log of a mid-sized shop.

The input is generated from a fixed seed, so the printed summary is the same on every run.
"""

from __future__ import annotations

import datetime
import hashlib
import random

from shoplog import render_customer_table, render_summary, summarize_log

SEED = 20240301
N_PEOPLE = 3300
N_LINES = 30_000
N_DAYS = 61
N_SKUS = 400

FIRST = ["anna", "ben", "carla", "dmitri", "eve", "farid", "grace", "hugo", "ines", "jamal",
         "kofi", "lena", "marco", "nora", "oscar", "priya", "quinn", "rosa", "sven", "tara",
         "ugo", "vera", "wen", "xavier", "yusuf", "zoe"]
LAST = ["smith", "okafor", "garcia", "nguyen", "muller", "rossi", "kowalski", "tanaka",
        "o'neil", "dubois", "silva", "haddad", "larsen", "novak", "patel", "cohen"]
DOMAINS = ["example.com", "mail.example.org", "shop-customers.net", "inbox.example.co.uk"]
STATUSES = ["paid"] * 40 + ["shipped"] * 20 + ["delivered"] * 22 + ["pending"] * 5 + \
           ["cancelled"] * 3 + ["canceled"] * 1 + ["Completed"] * 3 + ["refunded"] * 5 + \
           ["test"] * 1


def make_people(rng: random.Random):
    people = []
    for i in range(N_PEOPLE):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{i}@{rng.choice(DOMAINS)}"
        n_accounts = 1 if rng.random() < 0.85 else rng.randint(2, 3)
        accounts = [f"C{rng.randrange(10**6):06d}" for _ in range(n_accounts)]
        people.append((first, last, email, accounts))
    return people


def vary_email(rng: random.Random, email: str) -> str:
    r = rng.random()
    if r < 0.7:
        return email
    local, domain = email.split("@")
    if r < 0.8:
        return email.upper()
    if r < 0.9:
        return f"{local}+{rng.choice(['promo', 'shop', 'x'])}@{domain}"
    return f"  {local.capitalize()}@{domain} "


def vary_name(rng: random.Random, first: str, last: str) -> str:
    r = rng.random()
    if r < 0.6:
        return f"{first} {last}"
    if r < 0.8:
        return f"{first.capitalize()} {last.capitalize()}"
    if r < 0.95:
        return f" {first.upper()}   {last} "
    return ""


def corrupt(rng: random.Random, line: str) -> str:
    fields = line.split("|")
    r = rng.randrange(4)
    if r == 0:
        fields[8] = fields[8].replace(".", ",")
    elif r == 1:
        fields[0] = fields[0].replace("T", " ")
    elif r == 2:
        fields[7] = "0"
    else:
        del fields[4]
    return "|".join(fields)


def make_log(rng: random.Random) -> list[str]:
    people = make_people(rng)
    weights = [1.0 / (i + 1) ** 0.15 for i in range(N_PEOPLE)]
    start = datetime.date(2024, 3, 1)
    days = [(start + datetime.timedelta(days=d)).isoformat() for d in range(N_DAYS)]
    prices = [rng.randint(199, 24999) for _ in range(N_SKUS)]
    lines = ["# checkout-service event log v2"]
    picks = rng.choices(range(N_PEOPLE), weights=weights, k=N_LINES)
    for n, who in enumerate(picks):
        first, last, email, accounts = people[who]
        day = days[min(N_DAYS - 1, n * N_DAYS // N_LINES + rng.randint(-1, 1))]
        ts = f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        sku = rng.randrange(N_SKUS)
        price = prices[sku]
        status = rng.choice(STATUSES)
        kind = "refund" if status == "refunded" and rng.random() < 0.8 else "order"
        line = "|".join([
            ts, kind, f"O{n:07d}", rng.choice(accounts), vary_email(rng, email),
            vary_name(rng, first, last), f"sku-{sku:04d}", str(rng.choice([1, 1, 1, 2, 2, 3, 5])),
            f"{price // 100}.{price % 100:02d}", status,
        ])
        if rng.random() < 0.015:
            line = corrupt(rng, line)
        lines.append(line)
    return lines


def main() -> None:
    lines = make_log(random.Random(SEED))
    report = summarize_log(lines)
    summary = render_summary(report)
    table = render_customer_table(report)
    print("\n".join(summary.splitlines()[:9]))
    print(f"summary sha256  {hashlib.sha256(summary.encode()).hexdigest()}")
    print(f"customers sha256  {hashlib.sha256(table.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
