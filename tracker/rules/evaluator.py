"""What each person owes and how they stand, for many people against one catalogue.

For speed, :class:`Evaluator` precomputes what depends only on the catalogue and a person's roles
and location (required versions, effective dates, grouped certification types), so that
:func:`person_statuses` costs a few microseconds per requirement. It gives the same answers as the
one-requirement functions of tracker.rules.item_status.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from portal.model import Catalogue, CertificationType
from tracker.rules.item_status import (
    best_acknowledgements,
    best_card_of,
    best_cards,
    evaluate_certification,
    evaluate_module,
    evaluate_policy,
)
from tracker.rules.records import Ack, CertRecord, Completion, ItemStatus, Person, Rules, is_active
from tracker.rules.requirement_plans import Plans, Requirement, plans_for


class Evaluator:
    """Evaluates many people against one catalogue quickly; same answers as the one-requirement rules.

    Caches, per (roles, location), the applicable requirements and their plans (required versions,
    effective dates, resolved grace and deadline settings). The catalogue is immutable, so the
    caches never go stale; build a new Evaluator for a new catalogue.
    """

    def __init__(self, catalogue: Catalogue, rules: Rules | None = None):
        self.catalogue = catalogue
        self.rules = rules if rules is not None else Rules.from_settings(catalogue.settings)
        self._items: dict[tuple[frozenset[str], str | None], tuple[Requirement, ...]] = {}
        self._plans: dict[tuple[frozenset[str], str | None, date], Plans] = {}

    def requirement_items(self, role_ids: Collection[str], location_id: str | None) -> tuple[Requirement, ...]:
        """:func:`requirements` for these roles and location, regardless of employment dates."""
        key = (frozenset(role_ids), location_id)
        items = self._items.get(key)
        if items is None:
            found = self.catalogue.requirements_for(key[0], location_id)
            groups: dict[str, list[CertificationType]] = {}
            for cert in found["certifications"]:
                groups.setdefault(cert.requirement_id, []).append(cert)
            items = (*(("policy", p) for p in found["policies"]),
                     *(("module", m) for m in found["modules"]),
                     *(("certification", tuple(g)) for g in groups.values()))
            self._items[key] = items
        return items

    def requirements(self, person: Person, today: date) -> list[Requirement]:
        """Same as :func:`requirements`: policies and modules with no version in effect on ``today``
        are left out."""
        if not is_active(person, today):
            return []
        policies, modules, _certs = self._plans_for(person.role_ids, person.location_id, today)
        live = {("policy", p.id) for p in policies} | {("module", m.id) for m in modules}
        return [(kind, item) for kind, item in self.requirement_items(person.role_ids, person.location_id)
                if isinstance(item, tuple) or (kind, item.id) in live]

    def _plans_for(self, role_ids: Collection[str], location_id: str | None, today: date) -> Plans:
        """Plans for these roles and location as of ``today``: items with no version in effect yet
        are left out, and required versions are those in force on that day."""
        roles = role_ids if isinstance(role_ids, frozenset) else frozenset(role_ids)
        key = (roles, location_id, today)
        plans = self._plans.get(key)
        if plans is None:
            if len(self._plans) >= 10_000:  # one entry per role mix and day asked about; a bound
                self._plans.clear()
            items = self.requirement_items(roles, location_id)
            plans = self._plans[key] = plans_for(items, roles, self.rules, today)
        return plans

    def statuses(self, person: Person, acks: Iterable[Ack], completions: Iterable[Completion],
                 cert_records: Iterable[CertRecord], today: date) -> list[ItemStatus]:
        """Same as :func:`person_statuses`, with this Evaluator's rules.

        Indexes the person's records once (best acknowledgement per policy, completions per module,
        longest-lasting verified card per type), then evaluates each cached plan: linear in records
        plus requirements.
        """
        if not is_active(person, today):
            return []
        policies, modules, certs = self._plans_for(person.role_ids, person.location_id, today)
        hire = person.hire_date
        best_ack = best_acknowledgements(acks, today)
        by_module: dict[str, list[Completion]] = {}
        for c in completions:
            by_module.setdefault(c.module_id, []).append(c)
        cards = best_cards(cert_records, today)
        out = [evaluate_policy(plan, hire, best_ack.get(plan.id), today) for plan in policies]
        out += [evaluate_module(plan, hire, by_module.get(plan.id, ()), today) for plan in modules]
        out += [evaluate_certification(plan, hire, best_card_of(plan, cards), today) for plan in certs]
        return out


_last_evaluator: Evaluator | None = None


def _evaluator(catalogue: Catalogue) -> Evaluator:
    """The Evaluator of the most recently used catalogue, or a new one for a different catalogue.

    Keyed on identity (a Catalogue holds mappings, so it is not hashable); it keeps the last
    catalogue alive, which is the one the tracker serves anyway.
    """
    global _last_evaluator
    cached = _last_evaluator
    if cached is not None and cached.catalogue is catalogue:
        return cached
    cached = _last_evaluator = Evaluator(catalogue)
    return cached


def requirements(catalogue: Catalogue, person: Person, today: date) -> list[Requirement]:
    """What ``person`` must do, as ``(kind, item)`` pairs, as of ``today``.

    ``kind`` is ``"policy"`` (item: a :class:`Policy`), ``"module"`` (a :class:`Module`) or
    ``"certification"`` (a tuple of :class:`CertificationType` sharing one ``requirement_id``).
    An item applies when it targets one of the person's roles (or ``all``) *and* their location (or
    lists no locations). Policies count only when ``acknowledgement_required``. Order: policies,
    modules, certifications, each in catalogue order. Empty for someone not employed on ``today``
    (see :func:`is_active`).
    """
    return _evaluator(catalogue).requirements(person, today)


def person_statuses(catalogue: Catalogue, person: Person, acks: Iterable[Ack],
                    completions: Iterable[Completion], cert_records: Iterable[CertRecord],
                    today: date) -> list[ItemStatus]:
    """One :class:`ItemStatus` per requirement of ``person`` (order as :func:`requirements`).

    Empty when the person has left (``left_on <= today``) or is not hired yet (``hire_date >
    today``). The office settings come from ``catalogue.settings``. Pass this person's records
    only (they carry no person id); records of items outside the person's requirements are ignored.
    """
    return _evaluator(catalogue).statuses(person, acks, completions, cert_records, today)
