"""The dispatch configuration as typed FastAPI dependencies, for the API's routers and the
console's pages. The composition root puts the one `DispatchConfig` on
`app.state.dispatch_config`; without it a request fails loudly instead of using defaults."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.dispatch.config import DispatchConfig
from backend.dispatch.policy import DispatchPolicy

STATE_KEY = "dispatch_config"


class MissingDispatchConfig(RuntimeError):
    """The app was built without its dispatch configuration: a wiring error, not a request's."""


def dispatch_config(request: Request) -> DispatchConfig:
    config = getattr(request.app.state, STATE_KEY, None)
    if not isinstance(config, DispatchConfig):
        raise MissingDispatchConfig(
            f"app.state.{STATE_KEY} is not set: the composition root must hand the app its"
            " DispatchConfig (coupdemain.configuration.dispatch_config)"
        )
    return config


DispatchConfigDep = Annotated[DispatchConfig, Depends(dispatch_config)]


def dispatch_policy(config: DispatchConfigDep) -> DispatchPolicy:
    return config.policy


PolicyDep = Annotated[DispatchPolicy, Depends(dispatch_policy)]
