"""Dashboard figures: requests per day and per service, time to first accept, share
fulfilled, helpers, and what is under way now. Pure reads; see service.py for the words."""

from backend.stats.service import (
    CurrentCounts,
    DayCount,
    Fulfilment,
    HelperCounts,
    NeighbourhoodStats,
    ServiceCount,
    TimeToAccept,
    WeekMedian,
    neighbourhood_stats,
)

__all__ = [
    "CurrentCounts",
    "DayCount",
    "Fulfilment",
    "HelperCounts",
    "NeighbourhoodStats",
    "ServiceCount",
    "TimeToAccept",
    "WeekMedian",
    "neighbourhood_stats",
]
