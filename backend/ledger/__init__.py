"""The payments ledger: double-entry accounts in euro cents and time-bank minutes.

Rules that always hold (checked by `verify.verify`):
- every transfer is between two accounts of the same unit, for a positive integer amount, and
  writes two entries (-amount, +amount): the balances of each unit sum to zero;
- an account's balance is the sum of its entries; holds only reserve (`pending_debits`), and
  a guarded account (`allow_negative` false) never has balance - pending below zero;
- a hold is resolved once (captured, possibly for less, or voided); refunds of a transfer
  never exceed it; an idempotency key posts once.

Modules: `models` (tables), `accounts` (kinds and opening), `service` (transfer, hold, post,
void, refund), `jobs` (settling a finished job: cash commission, time credits), `funding`
(cash deposits, time-credit grants), `posting` and `fast_path` (the only code that changes
balances), `statements`, `verify`, `router` and `schemas` (REST).
"""
