"""Okta's System Log (`/api/v1/logs`, SPEC tag SystemLog): events written with the actions
that cause them, and the query that reads them. No Flask here."""

from __future__ import annotations

from mock_okta.syslog.events import (
    FAILURE,
    SUCCESS,
    Event,
    LimitEvents,
    Party,
    RequestInfo,
    SystemLog,
    bind,
    current_request,
)
from mock_okta.syslog.query import LogPage, LogQuery, list_log_events

__all__ = [
    "FAILURE",
    "SUCCESS",
    "Event",
    "LimitEvents",
    "LogPage",
    "LogQuery",
    "Party",
    "RequestInfo",
    "SystemLog",
    "bind",
    "current_request",
    "list_log_events",
]
