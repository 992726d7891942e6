"""Plan pages: prefectures submit plans, the secretariat decides and publishes (filled in below)."""

from __future__ import annotations

from fastapi import APIRouter


def router(portal) -> APIRouter:
    return APIRouter()
