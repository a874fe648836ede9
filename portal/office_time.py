"""The office's clock and calendar (policies/office.yml): its time zone and the days it is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OfficeTime:
    """``timezone`` (an IANA name) decides "today" for every status and how the tracker shows times;
    None is the server's own zone. Deadlines counted in working days skip the public holidays of
    ``holiday_country`` (ISO 3166 code; ``holiday_subdivision``: its state or province) and the
    office's own ``closed_days``. All of them are office settings."""

    timezone: str | None = None
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_days: tuple[date, ...] = ()
