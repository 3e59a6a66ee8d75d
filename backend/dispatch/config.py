"""What the composition root decides about dispatch and payment, as one object: how jobs are
offered (the policy) and the platform's commission on paid jobs. The REST API, the console
and the conversation engine are all handed the same one; none has a default of its own."""

from __future__ import annotations

from dataclasses import dataclass

from backend.dispatch.policy import DispatchPolicy
from backend.ledger.jobs import BASIS_POINTS


@dataclass(frozen=True)
class DispatchConfig:
    policy: DispatchPolicy
    commission_bps: int  # on cash jobs, in basis points (1000 = 10 %); time credits pay none

    def __post_init__(self) -> None:
        if not 0 <= self.commission_bps <= BASIS_POINTS:
            raise ValueError(
                f"the commission is between 0 and {BASIS_POINTS} basis points,"
                f" not {self.commission_bps}"
            )
        if self.policy.offers_per_round < 1 or self.policy.max_rounds < 1:
            raise ValueError("a dispatch offers a job to at least one helper in at least one round")
        if self.policy.offer_ttl.total_seconds() <= 0:
            raise ValueError("an offer stays open for some time")
