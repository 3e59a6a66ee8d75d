"""The index-friendly part of "who is near": a latitude/longitude box around a point."""

from __future__ import annotations

from dataclasses import dataclass
from math import cos, radians

from backend.geo import EARTH_RADIUS_KM

KM_PER_DEGREE_LAT = 3.141592653589793 * EARTH_RADIUS_KM / 180


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, half_km: float) -> Box:
    """A box that contains every point within `half_km` of (lat, lon) (never too small: the
    longitude span is taken at the box's edge nearest a pole, where degrees are shortest)."""
    dlat = half_km / KM_PER_DEGREE_LAT
    edge = min(abs(lat) + dlat, 89.9)
    dlon = min(half_km / (KM_PER_DEGREE_LAT * cos(radians(edge))), 180.0)
    return Box(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
