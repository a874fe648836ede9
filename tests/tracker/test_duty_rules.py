"""The office duty rules (tracker.rules.duties) at their boundaries: pure functions, no database."""

from __future__ import annotations

from datetime import date

import pytest

from portal.model import Every
from tracker.rules.duties import duty_status, first_due, next_due, review_status, warning_days
from tracker.rules.records import Status

MONTHLY, WEEKLY, YEARLY = Every(months=1), Every(weeks=1), Every(years=1)
HHS_REPORT = Every(days_after_year_end=60)
SINCE = date(2026, 1, 1)


def status(every, done, today, since=SINCE):
    return duty_status(every, since, done, today, due_soon_days=30)


@pytest.mark.parametrize(("done", "due"), [
    (date(2027, 1, 31), date(2027, 2, 28)),  # the last day of the next month
    (date(2028, 1, 31), date(2028, 2, 29)),  # ... in a leap year
    (date(2027, 3, 31), date(2027, 4, 30)),
    (date(2027, 1, 15), date(2027, 2, 15)),
])
def test_a_monthly_duty_done_on_the_31st_is_due_on_the_last_day_of_the_next_month(done, due):
    assert next_due(MONTHLY, done) == due
    assert status(MONTHLY, [done], due).status == Status.DUE_SOON
    assert status(MONTHLY, [done], date.fromordinal(due.toordinal() + 1)).status == Status.OVERDUE


def test_a_yearly_duty_done_on_29_february_is_due_365_days_later():
    done = date(2028, 2, 29)
    assert next_due(YEARLY, done) == date(2029, 2, 28)
    assert status(YEARLY, [done], date(2029, 1, 28)).status == Status.COMPLIANT
    assert status(YEARLY, [done], date(2029, 1, 29)).status == Status.DUE_SOON  # 30 days before
    assert status(YEARLY, [done], date(2029, 2, 28)).status == Status.DUE_SOON
    assert status(YEARLY, [done], date(2029, 3, 1)).status == Status.OVERDUE


def test_a_fixed_day_of_29_february_falls_on_the_28th_in_other_years():
    leap_day = Every(on="02-29")
    assert next_due(leap_day, date(2027, 2, 1)) == date(2028, 2, 29)
    assert next_due(leap_day, date(2028, 2, 1)) == date(2029, 2, 28)


def test_the_hhs_report_is_due_60_days_after_the_end_of_each_calendar_year():
    assert first_due(HHS_REPORT, date(2026, 12, 1)) == date(2027, 3, 1)
    assert next_due(HHS_REPORT, date(2027, 2, 10)) == date(2028, 2, 29)  # 2028 is a leap year
    late = status(HHS_REPORT, [date(2027, 3, 5)], date(2027, 3, 6))
    assert (late.status, late.due_date) == (Status.COMPLIANT, date(2028, 2, 29))  # a late report counts for its year
    assert status(HHS_REPORT, [date(2026, 2, 1)], date(2027, 3, 2)).status == Status.OVERDUE


def test_a_new_duty_or_location_gets_one_full_period_then_is_overdue():
    since = date(2026, 12, 1)
    pending = status(MONTHLY, [], date(2027, 1, 1), since)
    assert (pending.status, pending.due_date, pending.last_done) == (Status.PENDING, date(2027, 1, 1), None)
    assert status(MONTHLY, [], date(2027, 1, 2), since).status == Status.OVERDUE


def test_a_changed_frequency_is_counted_from_the_last_completion():
    done = [date(2026, 11, 2)]
    assert status(MONTHLY, done, date(2026, 11, 20)).status == Status.COMPLIANT
    weekly = status(WEEKLY, done, date(2026, 11, 20))
    assert (weekly.status, weekly.due_date) == (Status.OVERDUE, date(2026, 11, 9))


def test_a_past_day_ignores_later_completions():
    done = [date(2026, 9, 1), date(2026, 11, 1)]
    past = status(MONTHLY, done, date(2026, 10, 15))
    assert (past.status, past.last_done, past.due_date) == (Status.OVERDUE, date(2026, 9, 1), date(2026, 10, 1))
    assert status(MONTHLY, done, date(2026, 11, 15)).status == Status.COMPLIANT


def test_the_warning_window_is_at_most_a_quarter_of_the_period():
    assert (warning_days(WEEKLY, 30), warning_days(MONTHLY, 30), warning_days(Every(months=3), 30),
            warning_days(YEARLY, 30)) == (1, 7, 22, 30)
    assert status(WEEKLY, [date(2026, 11, 2)], date(2026, 11, 7)).status == Status.COMPLIANT
    assert status(WEEKLY, [date(2026, 11, 2)], date(2026, 11, 8)).status == Status.DUE_SOON


def test_a_policy_review_is_due_on_its_next_review_date():
    assert review_status(date(2027, 3, 1), date(2026, 11, 30), 90).status == Status.COMPLIANT
    assert review_status(date(2027, 3, 1), date(2026, 12, 1), 90).status == Status.DUE_SOON
    assert review_status(date(2027, 3, 1), date(2027, 3, 2), 90).status == Status.OVERDUE
