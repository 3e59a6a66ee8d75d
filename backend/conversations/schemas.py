"""Conversations as dispatchers see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    direction: str
    author: str
    text: str
    created_at: datetime


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel: str
    address: str
    person_id: int | None
    person_name: str | None = None
    language: str
    flow: str | None
    step: str | None
    flags: list[Any]
    handled_by: str
    dispatcher_id: int | None
    last_message_at: datetime
    last_message: str | None = None
    urgency: int = 0


class ConversationDetail(ConversationOut):
    messages: list[MessageOut] = []


class DispatcherMessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
