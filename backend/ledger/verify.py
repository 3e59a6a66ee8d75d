"""`verify`: recompute the ledger from its entries and say everything that does not add up.

Each check is one set-based query that returns offending rows (none when healthy), written in
SQL that SQLite and PostgreSQL both run. Meant for tests, for an operator's "is the ledger
sound?" button, and for a nightly job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

CHECKS: dict[str, str] = {
    "balance differs from the sum of its entries": """
        SELECT a.id, a.balance, COALESCE(s.total, 0) AS entries
        FROM ledger_accounts a
        LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries
                   GROUP BY account_id) s ON s.account_id = a.id
        WHERE a.balance <> COALESCE(s.total, 0)""",
    "pending debits differ from the open holds": """
        SELECT a.id, a.pending_debits, COALESCE(h.total, 0) AS holds
        FROM ledger_accounts a
        LEFT JOIN (SELECT debit_account_id, SUM(amount) AS total FROM ledger_transfers
                   WHERE kind = 'hold' AND status = 'pending'
                   GROUP BY debit_account_id) h ON h.debit_account_id = a.id
        WHERE a.pending_debits <> COALESCE(h.total, 0)""",
    "a guarded account is below zero": """
        SELECT id, balance, pending_debits FROM ledger_accounts
        WHERE NOT allow_negative AND (balance < 0 OR balance - pending_debits < 0)""",
    "balances of a unit do not sum to zero": """
        SELECT unit, SUM(balance) FROM ledger_accounts GROUP BY unit
        HAVING SUM(balance) <> 0""",
    "a transfer's entries are not its two balanced legs": """
        SELECT t.id, t.kind, COUNT(e.id), COALESCE(SUM(e.amount), 0)
        FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id
        GROUP BY t.id, t.kind, t.amount, t.debit_account_id, t.credit_account_id
        HAVING (t.kind IN ('hold', 'void') AND COUNT(e.id) <> 0)
            OR (t.kind NOT IN ('hold', 'void') AND (
                COUNT(e.id) <> 2 OR SUM(e.amount) <> 0
                OR SUM(CASE WHEN e.account_id = t.debit_account_id
                            AND e.amount = -t.amount THEN 1 ELSE 0 END) <> 1
                OR SUM(CASE WHEN e.account_id = t.credit_account_id
                            AND e.amount = t.amount THEN 1 ELSE 0 END) <> 1))""",
    "a transfer crosses units": """
        SELECT t.id FROM ledger_transfers t
        JOIN ledger_accounts d ON d.id = t.debit_account_id
        JOIN ledger_accounts c ON c.id = t.credit_account_id
        WHERE d.unit <> t.unit OR c.unit <> t.unit""",
    "refunds exceed what was paid": """
        SELECT o.id, o.amount, SUM(r.amount) FROM ledger_transfers o
        JOIN ledger_transfers r ON r.reverses_id = o.id AND r.kind = 'refund'
        GROUP BY o.id, o.amount HAVING SUM(r.amount) > o.amount""",
    "a hold's status disagrees with its resolution": """
        SELECT h.id, h.status, r.kind FROM ledger_transfers h
        LEFT JOIN ledger_transfers r ON r.pending_id = h.id
        WHERE h.kind = 'hold' AND NOT COALESCE(
            (h.status = 'pending' AND r.id IS NULL)
            OR (h.status = 'posted' AND r.kind = 'capture' AND r.amount <= h.amount)
            OR (h.status = 'voided' AND r.kind = 'void' AND r.amount = h.amount), FALSE)""",
    "an entry's running balance is wrong": """
        SELECT id, account_id, balance_after, running FROM (
            SELECT id, account_id, balance_after,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM ledger_entries) s
        WHERE balance_after <> running""",
}


@dataclass
class LedgerReport:
    problems: dict[str, list[tuple[object, ...]]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # sum of balances per unit

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return f"ledger sound; totals per unit: {self.totals}"
        return "; ".join(f"{what}: {rows[:5]}" for what, rows in self.problems.items())


def verify(session: Session, *, sample: int = 20) -> LedgerReport:
    """Every inconsistency found (at most `sample` rows per kind), and the per-unit totals."""
    report = LedgerReport()
    for what, sql in CHECKS.items():
        rows = session.execute(text(sql)).fetchmany(sample)
        if rows:
            report.problems[what] = [tuple(row) for row in rows]
    totals = session.execute(text("SELECT unit, SUM(balance) FROM ledger_accounts GROUP BY unit"))
    report.totals = {unit: int(total) for unit, total in totals}
    return report
