"""Each person's latest relevant records (tracker.storage.models.ComplianceState), kept current by
the writes themselves.

A session hook (:func:`_after_flush`) sees every new acknowledgement, training completion,
certification record and verification decision as it is flushed, and updates the rows it affects in
the same transaction: a write and the state it implies commit or roll back together, whichever
service made the write. The rows are what the rules pick from all records anyway (the best
signature per policy, the latest completion per module version and method, the longest-lasting
verified card per type), so statuses computed from them equal statuses computed from everything.

- A signature is one upsert that keeps the better row: atomic on both backends, so concurrent
  signatures of one person never lose one.
- A completion, card or decision recomputes its (person, item) from the records, after locking that
  item's lock row (SQLite takes the write lock at BEGIN anyway): concurrent writers queue, and the
  later one recomputes with the earlier one's records committed. Corrections are handled the same
  way: the corrected record drops out of the recomputation.
- :func:`rebuild` recomputes every row from every record, with the same queries.
- The people whose statuses a transaction may change (their new records, or a new or changed
  staff record) are appended to the change log (tracker.storage.models.StateChange) as it commits,
  under the audit chain's lock; each worker's remembered statuses follow that log
  (tracker.services.current_statuses). A rebuild logs a change naming everyone.

Records written by plain statements (``insert(...)``) bypass the hook: a signature written that way
calls :func:`acknowledged` (tracker.services.acknowledgements does), and a bulk load calls
:func:`rebuild` afterwards (the benchmarks do).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from tracker.services import audit
from tracker.storage.db import backend_insert
from tracker.storage.models import (
    Acknowledgement,
    CertificationRecord,
    CertificationVerification,
    ComplianceState,
    ModuleVersion,
    PolicyVersion,
    Staff,
    StateChange,
    TrainingCompletion,
)

ACKNOWLEDGEMENT, COMPLETION, CERTIFICATION = "acknowledgement", "completion", "certification"
BEST = "best"  # the variant of the one row per policy or card type; "" is the lock row
KEY = ["staff_id", "kind", "item_id", "variant"]
COLUMNS = ["staff_id", "kind", "item_id", "variant", "version", "method", "done_on", "expires_on", "signed_at",
           "record_id"]
State = ComplianceState
Key = tuple[str, int, str]  # kind, staff id, item id


_NO_TIME = cast(null(), State.signed_at.type)


def _insert(connection: Connection) -> Any:
    """The backend's INSERT, which knows ON CONFLICT."""
    return backend_insert(State, connection.dialect.name)


# --------------------------------------------------------------------------------------------
# What the rules would pick, as queries (one person's item, or everyone)
# --------------------------------------------------------------------------------------------


def _best_acknowledgements(where: ColumnElement[bool]) -> Select[Any]:
    """Per person and policy, the highest version signed (latest signature, then latest id, on a tie)."""
    ranked = (select(Acknowledgement.id, Acknowledgement.staff_id, PolicyVersion.policy_id, PolicyVersion.version,
                     Acknowledgement.signed_at,
                     func.row_number().over(partition_by=(Acknowledgement.staff_id, PolicyVersion.policy_id),
                                            order_by=(PolicyVersion.version.desc(), Acknowledgement.signed_at.desc(),
                                                      Acknowledgement.id.desc())).label("n"))
              .join(PolicyVersion, Acknowledgement.policy_version_id == PolicyVersion.id).where(where).subquery())
    return select(ranked.c.staff_id, literal(ACKNOWLEDGEMENT), ranked.c.policy_id, literal(BEST), ranked.c.version,
                  literal(""), cast(null(), Date), cast(null(), Date), ranked.c.signed_at, ranked.c.id).where(ranked.c.n == 1)


def _latest_completions(where: ColumnElement[bool]) -> Select[Any]:
    """Per person, module, version and method, the latest completion that no correction replaces."""
    corrected = select(TrainingCompletion.corrects_id).where(TrainingCompletion.corrects_id.is_not(None))
    ranked = (select(TrainingCompletion.id, TrainingCompletion.staff_id, ModuleVersion.module_id,
                     ModuleVersion.version, TrainingCompletion.method, TrainingCompletion.completed_on,
                     func.row_number().over(
                         partition_by=(TrainingCompletion.staff_id, ModuleVersion.module_id, ModuleVersion.version,
                                       TrainingCompletion.method),
                         order_by=(TrainingCompletion.completed_on.desc(), TrainingCompletion.id.desc())).label("n"))
              .join(ModuleVersion, TrainingCompletion.module_version_id == ModuleVersion.id)
              .where(where, TrainingCompletion.id.not_in(corrected)).subquery())
    variant = cast(ranked.c.version, String) + literal("/") + ranked.c.method
    return select(ranked.c.staff_id, literal(COMPLETION), ranked.c.module_id, variant, ranked.c.version,
                  ranked.c.method, ranked.c.completed_on, cast(null(), Date), _NO_TIME,
                  ranked.c.id).where(ranked.c.n == 1)


def _best_cards(where: ColumnElement[bool]) -> Select[Any]:
    """Per person and type, the uncorrected record whose latest decision is "verified" and that lasts
    longest: no expiry first, then the latest expiry, then the latest issue."""
    Record, Decision = CertificationRecord, CertificationVerification
    corrected = select(Record.corrects_id).where(Record.corrects_id.is_not(None))
    decisions = select(Decision.record_id, Decision.decision,
                       func.row_number().over(partition_by=Decision.record_id,
                                              order_by=(Decision.decided_at.desc(), Decision.id.desc())).label("n")
                       ).where(Decision.record_id.in_(select(Record.id).where(where))).subquery()
    ranked = (select(Record.id, Record.staff_id, Record.type_id, Record.issued_on, Record.expires_on,
                     func.row_number().over(
                         partition_by=(Record.staff_id, Record.type_id),
                         order_by=(case((Record.expires_on.is_(None), 1), else_=0).desc(),
                                   func.coalesce(Record.expires_on, Record.issued_on).desc(),
                                   Record.issued_on.desc(), Record.id.desc())).label("n"))
              .join(decisions, and_(decisions.c.record_id == Record.id, decisions.c.n == 1,
                                    decisions.c.decision == "verified"))
              .where(where, Record.id.not_in(corrected)).subquery())
    return select(ranked.c.staff_id, literal(CERTIFICATION), ranked.c.type_id, literal(BEST), literal(0, Integer),
                  literal(""), ranked.c.issued_on, ranked.c.expires_on, _NO_TIME,
                  ranked.c.id).where(ranked.c.n == 1)


def _fill(connection: Connection, query: Select[Any]) -> None:
    connection.execute(_insert(connection).from_select(COLUMNS, query))


def rebuild(connection: Connection) -> int:
    """Recompute every row from every record (in the caller's transaction); the number of rows.

    On PostgreSQL the table is locked against writers first, so that none of them writes a row
    this recomputation would then miss or duplicate; SQLite's write lock already does that.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE compliance_state IN EXCLUSIVE MODE")
    connection.execute(delete(State))
    for query in (_best_acknowledgements(true()), _latest_completions(true()), _best_cards(true())):
        _fill(connection, query)
    log_change(connection, [None])  # every worker recomputes everyone from the rebuilt rows
    return connection.execute(select(func.count()).select_from(State).where(State.variant != "")).scalar_one()


# --------------------------------------------------------------------------------------------
# Kept current by the writes
# --------------------------------------------------------------------------------------------


def _upsert_acknowledgement(connection: Connection, ack_id: int) -> None:
    """Keep the signature if it beats the person's row for its policy (higher version, or the same
    version signed later, as :func:`_best_acknowledgements` ranks them); one statement, so that
    concurrent signatures cannot overwrite each other."""
    connection.execute(_acknowledgement_upsert(connection.dialect.name), {"ack_id": ack_id})


@functools.cache
def _acknowledgement_upsert(dialect: str) -> Any:
    """The statement of :func:`_upsert_acknowledgement`, built once per backend: every signature runs
    it, and building it (a windowed select inside an upsert) cost more than running it."""
    statement = backend_insert(State, dialect).from_select(
        COLUMNS, _best_acknowledgements(Acknowledgement.id == bindparam("ack_id")))
    new = statement.excluded
    same = new.version == State.version
    better = or_(new.version > State.version, and_(same, new.signed_at > State.signed_at),
                 and_(same, new.signed_at == State.signed_at, new.record_id > State.record_id))
    return statement.on_conflict_do_update(
        index_elements=KEY, set_={"version": new.version, "signed_at": new.signed_at, "record_id": new.record_id},
        where=better)


def recompute(connection: Connection, key: Key) -> None:
    """Recompute one person's rows for one module or card type from their records, after holding the
    item's lock row until the transaction ends (created on first use)."""
    kind, staff_id, item_id = key
    make_lock_row, hold_lock_row, clear, fill = _recompute_statements(connection.dialect.name, kind)
    values = {"staff_id": staff_id, "item_id": item_id}
    connection.execute(make_lock_row, values)
    if hold_lock_row is not None:
        connection.execute(hold_lock_row, values)
    connection.execute(clear, values)
    connection.execute(fill, values)


@functools.cache
def _recompute_statements(dialect: str, kind: str) -> tuple[Any, Any, Any, Any]:
    """The statements of :func:`recompute` for one backend and kind, built once (see
    :func:`_acknowledgement_upsert`): create the lock row, hold it (PostgreSQL; SQLite's write lock
    is taken at BEGIN), clear the item's rows, fill them again."""
    staff_id, item_id = bindparam("staff_id", type_=Integer), bindparam("item_id", type_=String)
    make_lock_row = backend_insert(State, dialect).values(staff_id=staff_id, kind=kind, item_id=item_id, variant="",
                                                 version=0, method="").on_conflict_do_nothing(index_elements=KEY)
    item = and_(State.staff_id == staff_id, State.kind == kind, State.item_id == item_id)
    hold_lock_row = (select(State.id).where(item, State.variant == "").with_for_update()
                     if dialect == "postgresql" else None)
    clear = delete(State).where(item, State.variant != "")
    query = (_latest_completions(and_(TrainingCompletion.staff_id == staff_id, ModuleVersion.module_id == item_id))
             if kind == COMPLETION else
             _best_cards(and_(CertificationRecord.staff_id == staff_id, CertificationRecord.type_id == item_id)))
    return make_lock_row, hold_lock_row, clear, backend_insert(State, dialect).from_select(COLUMNS, query)


def _completion_keys(connection: Connection, ids: Iterable[int]) -> set[Key]:
    rows = connection.execute(select(TrainingCompletion.staff_id, ModuleVersion.module_id)
                              .join(ModuleVersion, TrainingCompletion.module_version_id == ModuleVersion.id)
                              .where(TrainingCompletion.id.in_(list(ids))))
    return {(COMPLETION, staff_id, module_id) for staff_id, module_id in rows}


def _card_keys(connection: Connection, ids: Iterable[int]) -> set[Key]:
    rows = connection.execute(select(CertificationRecord.staff_id, CertificationRecord.type_id)
                              .where(CertificationRecord.id.in_(list(ids))))
    return {(CERTIFICATION, staff_id, type_id) for staff_id, type_id in rows}


def acknowledged(session: Session, ack_id: int, staff_id: int) -> None:
    """What the hook does for a signature the session did not flush (inserted by a plain statement,
    tracker.services.acknowledgements): the state row now, the change log at commit."""
    _upsert_acknowledgement(session.connection(), ack_id)
    _note_changed(session, {staff_id})


def _note_changed(session: Session, staff_ids: Iterable[int]) -> None:
    session.info.setdefault(_CHANGED, set()).update(staff_ids)


def _after_flush(session: Session, context: UOWTransaction) -> None:
    """Bring the state up to date with the records this flush inserted (and those they correct), and
    note whose statuses the transaction may change (:func:`_log_changes` writes them at commit)."""
    acks: list[int] = []
    completions: set[int] = set()
    cards: set[int] = set()
    changed: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Acknowledgement):
            acks.append(obj.id)
            changed.add(obj.staff_id)
        elif isinstance(obj, TrainingCompletion):
            completions.update(i for i in (obj.id, obj.corrects_id) if i is not None)
        elif isinstance(obj, CertificationRecord):
            cards.update(i for i in (obj.id, obj.corrects_id) if i is not None)
        elif isinstance(obj, CertificationVerification):
            cards.add(obj.record_id)
    # A new person, or a changed role, location or date, changes what they owe.
    changed.update(obj.id for obj in (*session.new, *session.dirty) if isinstance(obj, Staff))
    if not (acks or completions or cards or changed):
        return
    connection = session.connection()
    for ack_id in sorted(acks):
        _upsert_acknowledgement(connection, ack_id)
    keys = (_completion_keys(connection, completions) if completions else set()) | (
        _card_keys(connection, cards) if cards else set())
    for key in sorted(keys):  # one order for every writer, so two of them never wait on each other in a cycle
        recompute(connection, key)
    changed.update(staff_id for _kind, staff_id, _item in keys)
    _note_changed(session, changed)


_CHANGED = "tracker.services.compliance_state.changed"  # session.info: staff ids the transaction may change


def _log_changes(session: Session) -> None:
    """At commit, append the people whose statuses the transaction may change to the log
    (tracker.storage.models.StateChange), under the audit chain's lock: the log's ids then commit in
    order, so a reader that has seen id N has seen every id below it."""
    session.flush()  # whatever is still pending gets its rows, and its people noted, first
    changed = session.info.pop(_CHANGED, None)
    if changed:
        log_change(session, changed)


_CHANGES: Table = StateChange.__table__  # type: ignore[assignment]  # a declarative model's table
_LOG_CHANGE = insert(_CHANGES).inline()  # no id back: nothing needs it, and fetching it is a round trip's work


def log_change(on: Session | Connection, staff_ids: Iterable[int | None]) -> None:
    """Append these people (None: everyone) to the change log, in the caller's transaction."""
    audit.lock_chain(on)
    connection = on.connection() if isinstance(on, Session) else on  # plain rows: no ORM statement work
    connection.execute(_LOG_CHANGE, [{"staff_id": staff_id, "token": secrets.token_hex(8)} for staff_id in staff_ids])


def _forget_changes(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back or closed transaction changed nobody (a committed one has logged its changes)."""
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_commit", _log_changes)
event.listen(Session, "after_transaction_end", _forget_changes)
