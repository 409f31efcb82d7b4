"""The generator's cases: loans (with their disbursement and repayment plan) and subsidy cases (with their
公示 list and the cap they reserve), each dated backwards from the state it is drawn in, and the audit
events its history implies (see ``bench/generate.py``)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.generate import (
    CAP,
    INDUSTRIES,
    LOAN_DEADLINES,
    LOAN_STATES,
    SUBSIDY_DEADLINES,
    SUBSIDY_STATES,
    Copier,
    Workdays,
    s,
    stamp,
)

LOAN_PATH = ("applied", "rated", "credited", "disbursed")
LENT = {"disbursed", "overdue", "recalled", "repaid", "compensated"}
MOVE = {}  # (before, after) → the two JSON payloads, made once


def move(before: str | None, after: str) -> tuple[str | None, str]:
    key = (before, after)
    if key not in MOVE:
        MOVE[key] = (None if before is None else json.dumps({"state": before}), json.dumps({"state": after}))
    return MOVE[key]


def pick(rng: random.Random, table) -> str:
    x, acc = rng.random(), 0.0
    for state, share in table:
        acc += share
        if x < acc:
            return state
    return table[-1][0]


def gap(rng: random.Random) -> int:
    """Working days a step took: mostly a few, sometimes weeks."""
    return min(1 + int(rng.expovariate(1 / 3)), 40)


def back(work: Workdays, d: date, n: int) -> date:
    import bisect

    return work.days[max(bisect.bisect_left(work.days, d) - n, 0)]


def load_loans(cur, base, hh, n: int, today: date, rng: random.Random, work: Workdays, events: list) -> int:
    """``n`` loans; households with a second loan had a first one closed before it."""
    from loanflow.loans.domain.schedule import build_schedule
    from loanflow.loans.models import Loan

    cols = [c.name for c in Loan.__table__.columns]
    required_defaults = [
        c for c in Loan.__table__.columns if not c.nullable and c.default is not None and c.default.is_scalar
    ]
    loans = Copier(cur, "loan", cols)
    disb = Copier(cur, "disbursement", ["id", "loan_id", "disbursed_on", "amount", "account_type", "bank_account",
                                        "bank_name", "disbursed_by_id", "created_at"])  # fmt: skip
    lines = Copier(cur, "loan_schedule_line", ["id", "loan_id", "revision", "seq", "start_date", "due_date",
        "opening_principal", "principal", "interest", "subsidy", "household_interest", "rate"])  # fmt: skip
    H = len(hh["village"])
    seconds = rng.sample(range(H), max(n - H, 0))
    has_second = set(seconds)
    villages, towns, users = hh["village"], base["villages"], base["users"]
    plans: dict[tuple, list] = {}
    line_id = 0
    for i in range(n):
        loan_id = i + 1
        h = i if i < H else seconds[i - H]
        first_of_two = i < H and h in has_second
        village = towns[villages[h]]
        t = int(village[6:9]) - 1
        clerk, officers = users["clerk"][t], users["officer"][t // 10]
        officer, officer2 = officers[i % 3], officers[(i + 1) % 3]
        state = (
            rng.choice(("repaid", "repaid", "repaid", "rejected", "withdrawn"))
            if first_of_two
            else pick(rng, LOAN_STATES)
        )
        term = rng.choices((12, 24, 36), (60, 25, 15))[0]
        amount = rng.randrange(5, 51) * 100000  # fen
        rate = "0.0300" if term <= 12 else "0.0350"
        row = dict.fromkeys(cols)
        row.update(id=loan_id, case_number=f"DK-{0}-{loan_id:06d}", household_id=h + 1, borrower_member_id=hh["head"][h], borrower_id_number=hh["id_number"][h],
                   borrower_name=hh["name"][h], village_code=village, branch_id=base["branches"][t // 10],
                   state=state, version=1, requested_amount=amount, requested_term_months=term,
                   purpose=("livestock", "planting", "processing", "trade", "tourism")[i % 5], purpose_detail="",
                   consent=True, applied_by_id=clerk[0], application_policy_version=1, extended_months=0,
                   extension_count=0, stage_due_provisional=False)  # fmt: skip
        old = first_of_two
        # the date of the step that put the loan where it is, then the earlier steps backwards from it
        if state in ("applied", "rated", "credited"):
            reached = today - _days(rng, 0, 11)
        elif state == "disbursed":
            reached = today - _days(rng, 1, term * 30 - 5)
        elif state in ("overdue", "recalled"):
            reached = today - _days(rng, 30, min(term * 30, 700) + 60)
        elif state in ("repaid", "compensated"):
            reached = (
                today - _days(rng, term * 30 + 10, 1090)
                if (old or state == "compensated")
                else today - _days(rng, 60, 1000)
            )
        else:  # rejected, withdrawn: the step that closed it
            reached = today - _days(rng, 400 if old else 3, 1000)
        path_end = {"applied": 0, "rated": 1, "credited": 2}.get(state, 3)
        if state in ("rejected", "withdrawn"):
            path_end = rng.randrange(0, 3)
        days = [reached]
        for _ in range(path_end):
            days.insert(0, back(work, days[0], gap(rng)))
        on = dict(zip(LOAN_PATH, days, strict=False))
        row["applied_on"] = on["applied"]
        created = stamp(on["applied"], rng)
        row["created_at"] = row["updated_at"] = datetime.fromtimestamp(created, UTC)
        events.append((created, "loan", loan_id, "loan.apply", clerk, *move(None, "applied")))
        if "rated" in on:
            row.update(rating_score=85, rating_grade="4", rating_limit=4000000, rated_on=on["rated"],
                       rated_by_id=officer[0], rating_policy_version=1)  # fmt: skip
            events.append(
                (stamp(on["rated"], rng), "loan", loan_id, "loan.rate", officer, *move("applied", "rated"))
            )
        if "credited" in on:
            row.update(credited_amount=amount, credited_term_months=term, rate=rate, method="balloon",
                       subsidy_ratio="1.00", penalty_rate=str(Decimal(rate) * Decimal("1.5")),
                       compound_rate=str(Decimal(rate) * Decimal("1.5")), credited_on=on["credited"],
                       credited_by_id=officer[0], credit_policy_version=1)  # fmt: skip
            events.append(
                (
                    stamp(on["credited"], rng),
                    "loan",
                    loan_id,
                    "loan.credit",
                    officer,
                    *move("rated", "credited"),
                )
            )
        if "disbursed" in on and state in LENT:
            d = on["disbursed"]
            key = (amount, term, d, rate)
            plan = plans.get(key)
            if plan is None:
                plan = [
                    (ln.seq, ln.start_date.isoformat(), ln.due_date.isoformat(), *(
                        str(int(x * 100)) for x in (ln.opening_principal, ln.principal, ln.interest, ln.subsidy,
                                                    ln.household_interest)))
                    for ln in build_schedule(Decimal(amount) / 100, Decimal(rate), d, term, "balloon", Decimal(1))
                ]  # fmt: skip
                plans[key] = plan
            for line in plan:
                line_id += 1
                lines.row([str(line_id), str(loan_id), "0", str(line[0]), *line[1:], rate])
            maturity = plan[-1][2]
            row.update(disbursed_on=d, disbursed_by_id=officer2[0], maturity_on=maturity, account_type="card",
                       bank_account=hh["account"][h], bank_name="农村商业银行", schedule_policy_version=1)  # fmt: skip
            disb.row([str(loan_id), str(loan_id), d.isoformat(), str(amount), "card", hh["account"][h], "农村商业银行",
                      str(officer2[0]), s(row["created_at"])])  # fmt: skip
            events.append(
                (stamp(d, rng), "loan", loan_id, "loan.disburse", officer2, *move("credited", "disbursed"))
            )
        _ending(row, state, on, today, rng, work, events, officer, clerk, users["county"][0])
        waiting = {"applied": "applied", "rated": "rated", "credited": "credited"}.get(state)
        if waiting:
            start = on[waiting]
            row.update(stage_started_on=start, stage_days=LOAN_DEADLINES[waiting],
                       stage_due_on=work.add(start, LOAN_DEADLINES[waiting]))  # fmt: skip
        row["case_number"] = f"DK-{row['applied_on'].year}-{loan_id:06d}"
        for column in required_defaults:  # columns added since (say plan_revision): their model default
            if row.get(column.name) is None:
                row[column.name] = column.default.arg
        loans.row([s(row[c]) for c in cols])
    loans.close()
    disb.close()
    lines.close()
    return lines.count


def _days(rng: random.Random, low: int, high: int) -> timedelta:

    return timedelta(days=rng.randint(low, max(low, high)))


def _ending(row, state, on, today, rng, work, events, officer, clerk, county) -> None:
    """What closed the loan, or keeps it waiting: repayment, overdue, recall, claim, compensation, refusal."""

    lid = row["id"]
    if state == "disbursed" and rng.random() < 0.02:  # an extension request waiting for the bank
        asked = today - timedelta(days=rng.randint(0, 12))
        row.update(extension_requested_months=6, extension_reason="受灾减产", extension_requested_on=asked,
                   extension_requested_by_id=clerk[0], stage_started_on=asked, stage_days=LOAN_DEADLINES["extension_requested"],
                   stage_due_on=work.add(asked, LOAN_DEADLINES["extension_requested"]))  # fmt: skip
        events.append(
            (stamp(asked, rng), "loan", lid, "loan.request-extension", clerk, *move("disbursed", "disbursed"))
        )
    if state in ("overdue", "recalled"):
        since = today - timedelta(days=1 + min(int(rng.expovariate(1 / 70)), 600))
        since = max(since, on["disbursed"] + timedelta(days=20))
        row["overdue_since"] = since if state != "recalled" else None
        events.append((stamp(since + timedelta(days=1), rng), "loan", lid, "loan.sweep", (None, "system", "system"),
                       *move("disbursed", "overdue")))  # fmt: skip
        if state == "recalled":
            row["recalled_on"] = since + timedelta(days=1)
            events.append(
                (
                    stamp(since + timedelta(days=2), rng),
                    "loan",
                    lid,
                    "loan.recall",
                    officer,
                    *move("overdue", "recalled"),
                )
            )
    elif state == "repaid":
        closed = min(date.fromisoformat(row["maturity_on"]), today - timedelta(days=1))
        closed = max(closed, on["disbursed"] + timedelta(days=1))
        row.update(closed_on=closed, principal_outstanding=0)
        events.append((stamp(closed, rng), "loan", lid, "loan.repay", officer, *move("disbursed", "repaid")))
    elif state == "compensated":
        when = min(date.fromisoformat(row["maturity_on"]) + timedelta(days=100), today - timedelta(days=1))
        row.update(
            compensated_on=when,
            compensation_policy_version=1,
            overdue_since=date.fromisoformat(row["maturity_on"]),
        )
        events.append((stamp(when, rng), "loan", lid, "loan.approve-compensation", county,
                       *move("overdue", "compensated")))  # fmt: skip
    elif state in ("rejected", "withdrawn"):
        last = max(d for d in on.values())
        closed = work.add(last, gap(rng))
        closed = min(closed, today)
        row.update(closed_on=closed, closing_reason="不符合条件" if state == "rejected" else "农户撤回")
        before = LOAN_PATH[len(on) - 1]
        actor = officer if state == "rejected" else clerk
        events.append((stamp(closed, rng), "loan", lid, f"loan.{state[:-2] if state == 'rejected' else 'withdraw'}",
                       actor, *move(before, state)))  # fmt: skip


def load_subsidies(
    cur, base, hh, n: int, today: date, rng: random.Random, work: Workdays, events: list
) -> None:
    """``n`` subsidy cases of random households; amounts capped per household and year of approval."""

    from loanflow.subsidies.models import SubsidyCase

    cols = [c.name for c in SubsidyCase.__table__.columns]
    cases = Copier(cur, "subsidy_case", cols)
    required = [
        c
        for c in SubsidyCase.__table__.columns
        if not c.nullable and c.default is not None and c.default.is_scalar
    ]
    pubs = Copier(cur, "publicity", ["id", "village_code", "posted_on", "start_on", "end_on", "approval_opens_on",
        "provisional", "policy_days", "policy_version", "posted_by_id", "created_at"])  # fmt: skip
    entries = Copier(cur, "publicity_entry", ["id", "publicity_id", "case_id", "head_name", "industry",
        "verified_quantity", "amount", "removed_on", "removed_because"])  # fmt: skip
    caps: dict[tuple[int, str], int] = {}
    H, users, villages = len(hh["village"]), base["users"], base["villages"]
    publicity_id = 0
    for i in range(n):
        cid = i + 1
        h = rng.randrange(H)
        village = villages[hh["village"][h]]
        t = int(village[6:9]) - 1
        clerk, approver, county = users["clerk"][t], users["approver"][t], users["county"][i % 2]
        state = pick(rng, SUBSIDY_STATES)
        industry, rate, unit = INDUSTRIES[i % len(INDUSTRIES)]
        quantity = rng.randint(1, 30) * 100 if unit in ("head", "100") else rng.randint(50, 800)  # hundredths
        amount = min(quantity * rate // 100, CAP)
        # the last step's date, then the steps before it, backwards
        if state in ("applied", "verified", "approved"):
            reached = today - timedelta(days=rng.randint(0, 11))
        elif state == "publicized":
            reached = today - timedelta(days=rng.randint(0, 14))
        elif state == "disbursed":
            reached = today - timedelta(days=rng.randint(1, 1000))
        else:
            reached = today - timedelta(days=rng.randint(3, 1000))
        on: dict[str, date] = {}
        if state in ("applied", "rejected", "withdrawn"):
            on["applied"] = reached if state == "applied" else back(work, reached, gap(rng))
        else:
            if state == "verified":
                on["verified"] = reached
            elif state == "publicized":
                on["posted"] = reached
            else:
                if state == "disbursed":
                    on["disbursed"] = reached
                    on["approved"] = back(work, reached, gap(rng))
                else:
                    on["approved"] = reached
                on["opens"] = back(work, on["approved"], rng.randint(0, 3))
                on["end"] = back(work, on["opens"], 1)
                on["posted"] = back(work, on["end"], 4)
            if "posted" in on:
                on.setdefault(
                    "end", work.add(back(work, on["posted"], 0), 4) if "end" not in on else on["end"]
                )
                on.setdefault("opens", work.add(on["end"], 1))
                on["verified"] = back(work, on["posted"], gap(rng))
            on["applied"] = back(work, on["verified"], gap(rng))
        row = dict.fromkeys(cols)
        created = stamp(on["applied"], rng)
        row.update(id=cid, household_id=h + 1, village_code=village, state=state, version=1, industry=industry,
                   declared_quantity=quantity, consent=True, applied_on=on["applied"], applied_by_id=clerk[0],
                   policy_version=1, verify_note="", payment_reference="", paid_account="", close_reason="",
                   reserved=False, stage_started_on=on["applied"], stage_due_provisional=False,
                   created_at=datetime.fromtimestamp(created, UTC), updated_at=datetime.fromtimestamp(created, UTC))  # fmt: skip
        events.append((created, "subsidy", cid, "subsidy.apply", clerk, *move(None, "applied")))
        if "verified" in on:
            year = str((on.get("approved") or on["verified"]).year)
            room = CAP - caps.get((h + 1, year), 0)
            amount = max(min(amount, room), 0)
            caps[(h + 1, year)] = caps.get((h + 1, year), 0) + amount
            row.update(verified_quantity=quantity, verified_on=on["verified"], verified_by_id=approver[0],
                       unit_rate=rate, amount=amount, amount_policy_version=1, cap_period=year, reserved=True)  # fmt: skip
            events.append(
                (
                    stamp(on["verified"], rng),
                    "subsidy",
                    cid,
                    "subsidy.verify",
                    approver,
                    *move("applied", "verified"),
                )
            )
        if "posted" in on:
            publicity_id += 1
            pubs.row([str(publicity_id), village, on["posted"].isoformat(), on["posted"].isoformat(),
                      on["end"].isoformat(), on["opens"].isoformat(), "f", "5", "1", str(approver[0]),
                      s(datetime.fromtimestamp(stamp(on["posted"], rng), UTC))])  # fmt: skip
            entries.row([str(publicity_id), str(publicity_id), str(cid), hh["name"][h], industry, str(quantity),
                         str(amount), "\\N", ""])  # fmt: skip
            row["publicity_id"] = publicity_id
            events.append(
                (
                    stamp(on["posted"], rng),
                    "subsidy",
                    cid,
                    "subsidy.publicize",
                    approver,
                    *move("verified", "publicized"),
                )
            )
        if "approved" in on:
            row.update(approved_on=on["approved"], approved_by_id=county[0])
            events.append(
                (
                    stamp(on["approved"], rng),
                    "subsidy",
                    cid,
                    "subsidy.approve",
                    county,
                    *move("publicized", "approved"),
                )
            )
        if "disbursed" in on:
            row.update(disbursed_on=on["disbursed"], disbursed_by_id=county[0], payment_reference=f"YA{cid:08d}",
                       paid_account=hh["account"][h])  # fmt: skip
            events.append(
                (
                    stamp(on["disbursed"], rng),
                    "subsidy",
                    cid,
                    "subsidy.disburse",
                    county,
                    *move("approved", "disbursed"),
                )
            )
        if state in ("rejected", "withdrawn"):
            row.update(closed_on=reached, close_reason="核验不符" if state == "rejected" else "农户放弃")
            actor = approver if state == "rejected" else clerk
            action = "subsidy.reject" if state == "rejected" else "subsidy.withdraw"
            events.append((stamp(reached, rng), "subsidy", cid, action, actor, *move("applied", state)))
        start = {"applied": on.get("applied"), "verified": on.get("verified"), "publicized": on.get("end"),
                 "approved": on.get("approved")}.get(state)  # fmt: skip
        if start is not None:
            row.update(stage_started_on=start if state != "publicized" else on["posted"],
                       stage_days=SUBSIDY_DEADLINES[state], stage_due_on=work.add(start, SUBSIDY_DEADLINES[state]))  # fmt: skip
        elif "disbursed" in on:
            row["stage_started_on"] = on["disbursed"]
        for column in required:  # columns added since: their model default
            if row.get(column.name) is None:
                row[column.name] = column.default.arg
        cases.row([s(row[c]) for c in cols])
    cases.close()
    pubs.close()
    entries.close()
    caps_out = Copier(cur, "subsidy_cap", ["household_id", "period", "reserved"])
    for (household, period), reserved in sorted(caps.items()):
        caps_out.row([str(household), period, str(reserved)])
    caps_out.close()
