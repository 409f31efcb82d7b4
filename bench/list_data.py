"""Bulk cases for the list timings of issue 14: N loans, N households (a head each), N/2 subsidy cases.

Adds rows with plain SQL (``generate_series``) to a PostgreSQL database that already holds the demo
county (``flask db upgrade`` then ``flask loanflow demo``); deterministic (no randomness: every spread
comes from the row number), spread over the county's villages, the loan states in realistic shares,
dates over 2024-2026. No audit events or schedule lines: the lists read neither. A stopgap until the
shared data generator (``bench/generate.py``) is on main.

    .venv/bin/python bench/list_data.py postgresql://postgres@127.0.0.1:5432/loanflow_bench 100000
"""

from __future__ import annotations

import sys
import time

import psycopg

# state by row number modulo 100: shares close to a county three years in (DOMAIN.md states)
LOAN_STATES = [
    ("applied", 3),
    ("rated", 2),
    ("credited", 2),
    ("disbursed", 40),
    ("overdue", 5),
    ("repaid", 38),
] + [("rejected", 5), ("withdrawn", 3), ("recalled", 1), ("compensated", 1)]
SUBSIDY_STATES = [
    ("applied", 5),
    ("verified", 4),
    ("publicized", 3),
    ("approved", 3),
    ("disbursed", 78),
    ("rejected", 5),
    ("withdrawn", 2),
]
OPEN = ("applied", "rated", "credited")


def _case(states: list[tuple[str, int]], expr: str) -> str:
    arms, upto = [], 0
    for state, share in states:
        upto += share
        arms.append(f"WHEN {expr} < {upto} THEN '{state}'")
    return "CASE " + " ".join(arms) + " END"


def main(url: str, n: int) -> None:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        villages = [
            r[0] for r in cur.execute("SELECT code FROM region WHERE level = 'village' ORDER BY code")
        ]
        clerk = cur.execute("SELECT id FROM user_account WHERE username = 'clerk'").fetchone()[0]
        branch = dict(cur.execute("SELECT township_code, branch_id FROM branch_township").fetchall())
        any_branch = cur.execute("SELECT min(id) FROM branch").fetchone()[0]
        cur.execute("CREATE TEMP TABLE v (i int PRIMARY KEY, code text, branch_id int)")
        cur.executemany(
            "INSERT INTO v VALUES (%s, %s, %s)",
            [(i, c, branch.get(c[:9], any_branch)) for i, c in enumerate(villages)],
        )
        nv = len(villages)
        base = cur.execute("SELECT coalesce(max(id), 0) FROM household").fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO household (id, village_code, address, status, status_reason, status_document, monitoring,
                attribute, main_cause, secondary_causes, income_per_head, account_type, bank_account, bank_name,
                created_at, updated_at, version)
            SELECT {base} + g, v.code, '', 'not_out', '', '', 'none', 'general', 'illness', '[]'::jsonb,
                300000 + g % 500000, 'card', '62' || lpad(g::text, 17, '0'), '农商银行', now(), now(), 1
            FROM generate_series(1, {n}) g JOIN v ON v.i = g % {nv}
            """
        )
        cur.execute(f"SELECT setval('household_id_seq', {base + n})")
        cur.execute(
            f"""
            INSERT INTO member (household_id, name, id_number, no_id_reason, sex, birth_date, relation, labour, phone,
                village_code)
            SELECT {base} + g, '户主' || g, NULL, 'bench', 'male', DATE '1970-01-01' + (g % 9000), 'head', 'full', '',
                v.code
            FROM generate_series(1, {n}) g JOIN v ON v.i = g % {nv}
            """
        )
        state = _case(LOAN_STATES, "g % 100")
        cur.execute(
            f"""
            INSERT INTO loan (case_number, household_id, borrower_id_number, borrower_name, village_code, branch_id,
                state, version, requested_amount, requested_term_months, purpose, purpose_detail, consent,
                applied_on, applied_by_id, application_policy_version, extended_months, extension_count,
                plan_revision, stage_due_provisional, created_at, updated_at, stage_started_on, stage_due_on,
                extension_requested_months)
            SELECT 'BK-' || lpad(g::text, 7, '0'), {base} + g, lpad(g::text, 18, '0'), '户主' || g, v.code,
                v.branch_id, s.state, 1, 2000000 + (g % 30) * 100000, 12 + 12 * (g % 3), 'livestock', '', true,
                DATE '2024-01-01' + (g * 1000 / {n}), {clerk}, 1, 0, 0, 0, false, now(), now(),
                DATE '2024-01-01' + (g * 1000 / {n}),
                CASE WHEN s.state IN {OPEN} THEN DATE '2024-01-01' + (g * 1000 / {n}) + 7 END,
                CASE WHEN s.state = 'disbursed' AND g % 997 = 0 THEN 6 END
            FROM generate_series(1, {n}) g JOIN v ON v.i = g % {nv}
            CROSS JOIN LATERAL (SELECT {state} AS state) s
            """
        )
        sstate = _case(SUBSIDY_STATES, "(g * 7) % 100")
        cur.execute(
            f"""
            INSERT INTO subsidy_case (household_id, village_code, state, version, industry, declared_quantity,
                consent, applied_on, applied_by_id, policy_version, verify_note, reserved, payment_reference,
                paid_account, close_reason, stage_started_on, stage_due_provisional, created_at, updated_at,
                stage_due_on)
            SELECT {base} + g * 2, v.code, s.state, 1, (ARRAY['pig','kiwi','tea'])[1 + g % 3], 10000 * (1 + g % 5),
                true, DATE '2024-01-01' + (g * 1000 / ({n} / 2)), {clerk}, 1, '', false, '', '', '',
                DATE '2024-01-01' + (g * 1000 / ({n} / 2)), false, now(), now(),
                CASE WHEN s.state IN ('applied', 'verified', 'publicized', 'approved')
                     THEN DATE '2024-01-01' + (g * 1000 / ({n} / 2)) + 10 END
            FROM generate_series(1, {n} / 2) g JOIN v ON v.i = (g * 2) % {nv}
            CROSS JOIN LATERAL (SELECT {sstate} AS state) s
            """
        )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE household, member, loan, subsidy_case")
    print(f"{n} loans, {n} households, {n // 2} subsidy cases added in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
