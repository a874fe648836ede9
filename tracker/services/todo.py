"""One person's to-do list: everything they owe, as plain sentences, most urgent first.

The statuses come from tracker.services.compliance_status (the same rules every other page uses);
this module only words them and orders them: overdue, then due soon, then to do, then done. A
sentence is a few parts, some of which link somewhere; the parts name what they link to ("work":
where the thing is done; "what_changed": the redline on the signing page), and the web layer turns
that into an address, so this module stays free of Flask.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.model import Catalogue, CertificationType, Module, Policy
from tracker.rules.item_status import best_acknowledgements, best_card_of, best_cards
from tracker.rules.records import Ack, CertRecord, Completion, ItemStatus, Rules, Status
from tracker.rules.requirement_plans import cert_plan, policy_plan
from tracker.services.compliance_status import (
    acks_for,
    cert_records_for,
    completions_for,
    statuses_for,
)
from tracker.storage.models import Staff

WORK, WHAT_CHANGED = "work", "what_changed"
OVERDUE, DUE_SOON, TO_DO, DONE = "overdue", "due_soon", "to_do", "done"
GROUP_LABELS = {OVERDUE: "Overdue", DUE_SOON: "Due soon", TO_DO: "To do", DONE: "Done"}
_GROUP_OF = {Status.OVERDUE: OVERDUE, Status.DUE_SOON: DUE_SOON, Status.PENDING: TO_DO, Status.COMPLIANT: DONE}
_KIND_ORDER = {"policy": 0, "module": 1, "certification": 2}  # on the same day: read, then train, then cards


@dataclass(frozen=True)
class Part:
    text: str
    link: str | None = None  # WORK, WHAT_CHANGED, or None for plain text


@dataclass(frozen=True)
class ToDo:
    kind: str  # "policy" | "module" | "certification"
    id: str  # the policy or module id, or the certification requirement id
    title: str
    status: Status
    due_date: date | None
    parts: tuple[Part, ...]

    @property
    def group(self) -> str:
        return _GROUP_OF[self.status]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    items: tuple[ToDo, ...]


@dataclass(frozen=True)
class ToDoList:
    today: date
    items: tuple[ToDo, ...]  # overdue, due soon, to do, done
    first_day: bool  # hired today (or not started yet): the page greets a new starter
    starts_on: date

    @property
    def groups(self) -> list[Group]:
        """The groups that hold something, in order."""
        return [Group(key, label, found) for key, label in GROUP_LABELS.items()
                if (found := tuple(item for item in self.items if item.group == key))]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.group == DONE)

    @property
    def open_items(self) -> tuple[ToDo, ...]:
        return tuple(item for item in self.items if item.group != DONE)


def in_words(day: date, today: date) -> str:
    """"8 December", with the year only when it is not this year's: "3 January 2028"."""
    words = f"{day.day} {day:%B}"
    return words if day.year == today.year else f"{words} {day.year}"


def _due(item: ItemStatus, today: date) -> str:
    """When an unfinished item is due, as a sentence (empty when it has no date)."""
    due = item.due_date
    if due is None:
        return ""
    if item.status == Status.OVERDUE:
        return f"It was due {in_words(due, today)}."
    if due == today:
        return "Due today."
    if due == today + timedelta(days=1):
        return "Due tomorrow."
    return f"Due {in_words(due, today)}."


def _ending(item: ItemStatus, today: date) -> Part:
    due = _due(item, today)
    return Part(f". {due}" if due else ".")


# --------------------------------------------------------------------------------------------
# One sentence per kind
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Records:
    """What the sentences need beyond the statuses: the person's own records and the office's rules."""

    today: date
    roles: frozenset[str]
    rules: Rules
    signed: dict[str, int]  # policy id -> highest version signed by today
    trained: frozenset[str]  # module ids with any completion by today


def _policy(item: ItemStatus, policy: Policy, records: _Records) -> tuple[Part, ...]:
    today, current = records.today, policy.version
    if item.status == Status.COMPLIANT:
        ack = item.satisfied_by
        signed = f" on {in_words(ack.signed_on, today)}" if isinstance(ack, Ack) else ""
        version = ack.version if isinstance(ack, Ack) else current
        return (Part(f"You signed version {version} of {policy.title}{signed}", WORK), Part("."))
    earlier = records.signed.get(policy.id)
    if earlier is None:
        return (Part(f"Read and sign version {current} of {policy.title}", WORK), _ending(item, today))
    plan = (policy_plan(policy, records.roles, records.rules, today)
            or policy_plan(policy, records.roles, records.rules))
    changed = plan.effective if plan is not None else policy.effective_date
    return (Part(f"Sign version {current} of {policy.title}", WORK),
            Part(f", changed {in_words(changed, today)}: "), Part("see what changed", WHAT_CHANGED),
            _ending(item, today))


def _training_name(module: Module) -> str:
    title = module.title
    return title if title.lower().endswith("training") else f"{title} training"


def _module(item: ItemStatus, module: Module, records: _Records) -> tuple[Part, ...]:
    today, name = records.today, _training_name(module)
    if item.status == Status.COMPLIANT:
        done = item.satisfied_by
        on = f" on {in_words(done.completed_on, today)}" if isinstance(done, Completion) else ""
        next_due = f" Next due {in_words(item.due_date, today)}." if item.due_date else ""
        return (Part(f"You completed {name}{on}", WORK), Part(f".{next_due}"))
    again = item.status == Status.DUE_SOON or module.id in records.trained
    if module.in_person_required:
        action = f"Attend {name} again, in person" if again else f"Attend {name}, in person"
    else:
        action = f"{'Renew' if again else 'Complete'} {name} (quiz)"
    return (Part(action, WORK), _ending(item, today))


@dataclass(frozen=True)
class _CardWords:
    """How to name what the person holds and what to send: "your BLS card", "upload the renewed card"."""

    yours: str
    send: str
    renew: str


def _card_words(types: list[CertificationType]) -> _CardWords:
    if len(types) > 1:
        names = " or ".join(t.name for t in types)
        return _CardWords(f"your {names}", f"Upload proof of one of these: {names}", "upload proof of the renewal")
    only = types[0]
    if only.kind == "certification":
        return _CardWords(f"your {only.name} card", f"Upload your {only.name} card", "upload the renewed card")
    return _CardWords(f"your {only.name}", f"Upload proof of your {only.name}", "upload proof of the renewal")


def _certification(item: ItemStatus, types: list[CertificationType], held: CertRecord | None,
                   records: _Records) -> tuple[Part, ...]:
    today = records.today
    if held is None:  # nothing on file
        return (Part(_card_words(types).send, WORK), _ending(item, today))
    words = _card_words([t for t in types if t.id == held.type_id] or types)
    yours, expires = words.yours[0].upper() + words.yours[1:], held.expires_on
    if expires is None:
        return (Part(f"{yours} is on file; it does not expire", WORK), Part("."))
    if item.status == Status.COMPLIANT:
        return (Part(f"{yours} is valid until {in_words(expires, today)}", WORK), Part("."))
    verb = "expired" if expires < today else "expires"
    sentence = Part(f"{yours} {verb} {in_words(expires, today)}: {words.renew}", WORK)
    if item.status == Status.PENDING:  # lapsed before a starter deadline still ahead
        return (sentence, _ending(item, today))
    return (sentence, Part("."))


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


def _order(item: ToDo) -> tuple[int, date, int, str]:
    group = list(GROUP_LABELS).index(item.group)
    when = date.max if item.group == DONE or item.due_date is None else item.due_date
    return (group, when, _KIND_ORDER.get(item.kind, 3), item.title.casefold())


def _cert_types(catalogue: Catalogue, requirement_id: str) -> list[CertificationType]:
    return [t for t in catalogue.certifications.values() if t.requirement_id == requirement_id]


def _sentence(item: ItemStatus, catalogue: Catalogue, records: _Records,
              cards: dict[str, CertRecord]) -> tuple[Part, ...]:
    if item.kind == "policy":
        return _policy(item, catalogue.policies[item.id], records)
    if item.kind == "module":
        return _module(item, catalogue.modules[item.id], records)
    types = _cert_types(catalogue, item.id)
    return _certification(item, types, cards.get(item.id), records)


def _held_cards(staff_id: int, types: Iterable[list[CertificationType]], records: _Records) -> dict[str, CertRecord]:
    """Per certification requirement, the verified record that lasts longest, lapsed or not."""
    cards = best_cards(cert_records_for([staff_id])[staff_id], records.today)
    held: dict[str, CertRecord] = {}
    for group in types:
        if group:
            best = best_card_of(cert_plan(group, records.rules), cards)
            if best is not None:
                held[group[0].requirement_id] = best
    return held


def to_do_list(staff: Staff, catalogue: Catalogue, today: date, kinds: Collection[str] | None = None) -> ToDoList:
    """Everything ``staff`` owes as of ``today`` (the office's date), worded and ordered.

    ``kinds`` narrows the list ("policy", "module", "certification"); None keeps everything.
    """
    statuses = [s for s in statuses_for(staff, catalogue, today) if kinds is None or s.kind in kinds]
    acks = best_acknowledgements(acks_for([staff.id])[staff.id], today)
    records = _Records(today=today, roles=frozenset(staff.roles), rules=Rules.from_settings(catalogue.settings),
                       signed={policy_id: ack.version for policy_id, ack in acks.items()},
                       trained=frozenset(c.module_id for c in completions_for([staff.id])[staff.id]
                                         if c.completed_on <= today))
    cert_ids = {s.id for s in statuses if s.kind == "certification"}
    cards = _held_cards(staff.id, (_cert_types(catalogue, i) for i in cert_ids), records) if cert_ids else {}
    items = [ToDo(kind=s.kind, id=s.id, title=s.title, status=s.status, due_date=s.due_date,
                  parts=_sentence(s, catalogue, records, cards)) for s in statuses]
    return ToDoList(today=today, items=tuple(sorted(items, key=_order)), first_day=staff.hire_date >= today,
                    starts_on=staff.hire_date)
