"""Staff, roles and PINs: salted slow hashes, lockout after five failures, every failure audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from salon_cli.core.errors import Conflict, InvalidInput, NotPermitted, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import AuditLog, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import locations, staff
from salon_cli.services.salon.actors import SYSTEM


def _identify(engine, who, pin, permission=Permission.staff_manage):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        return staff.identify(uow, who=who, pin=pin, location=loc, permission=permission)


def _add(engine, actor, **kw):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        view = staff.add(uow.session, actor=actor, location=loc, **kw)
        uow.commit()
        return view


def _audit(engine, action):
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(AuditLog).where(AuditLog.action == action)).all()


def test_pins_are_salted_slow_hashes(engine, salon):
    owner = _identify(engine, "lucia", "1234")
    _add(engine, owner, name="Ana", code="ana", role="stylist", pin="1234")
    with UnitOfWork(engine, write=False) as uow:
        hashes = [s.pin_hash for s in uow.session.exec(select(Staff))]
    assert all(h.startswith("scrypt$") and "1234" not in h for h in hashes)
    assert len(set(hashes)) == 2  # same PIN, different salt


def test_wrong_pin_is_exit_3_and_audited(engine, salon):
    with pytest.raises(NotPermitted) as err:
        _identify(engine, "lucia", "9999")
    assert err.value.exit_code == 3
    failures = _audit(engine, "staff.pin_failed")
    assert len(failures) == 1 and failures[0].actor == "lucia"


def test_sixth_try_is_refused_even_with_the_right_pin(engine, salon, clock):
    for attempt in range(5):
        with pytest.raises(NotPermitted, match="wrong PIN"):
            _identify(engine, "lucia", "0000")
    with pytest.raises(NotPermitted, match="locked"):
        _identify(engine, "lucia", "1234")
    assert len(_audit(engine, "staff.pin_failed")) == 5
    assert len(_audit(engine, "staff.pin_refused_locked")) == 1
    clock.advance(minutes=14)
    with pytest.raises(NotPermitted, match="locked"):
        _identify(engine, "lucia", "1234")
    clock.advance(minutes=1, seconds=1)
    assert _identify(engine, "lucia", "1234").code == "lucia"
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.exec(select(Staff).where(Staff.code == "lucia")).one()
        assert row.failed_pins == 0 and row.locked_until is None


def test_a_manager_unlocks(engine, salon, clock):
    owner = _identify(engine, "lucia", "1234")
    _add(engine, owner, name="Marco", code="marco", role="manager", pin="2222")
    _add(engine, owner, name="Sofía", code="sofia", role="receptionist", pin="3333")
    for _ in range(5):
        with pytest.raises(NotPermitted):
            _identify(engine, "sofia", "0000", Permission.desk)
    with pytest.raises(NotPermitted, match="locked"):
        _identify(engine, "sofia", "3333", Permission.desk)
    manager = _identify(engine, "marco", "2222")
    with UnitOfWork(engine) as uow:
        staff.unlock(uow.session, actor=manager, who="sofia")
        uow.commit()
    assert _identify(engine, "sofia", "3333", Permission.desk).role == "receptionist"
    assert len(_audit(engine, "staff.unlock")) == 1


def test_manager_only_actions_need_a_pin(engine, salon):
    with pytest.raises(NotPermitted, match="PIN is needed"):
        _identify(engine, "lucia", None)


def test_desk_work_needs_no_pin_but_a_given_pin_is_checked(engine, salon):
    assert _identify(engine, "lucia", None, Permission.desk).code == "lucia"
    with pytest.raises(NotPermitted):
        _identify(engine, "lucia", "0000", Permission.desk)


def test_roles(engine, salon):
    owner = _identify(engine, "lucia", "1234")
    _add(engine, owner, name="Marco", code="marco", role="manager", pin="2222")
    _add(engine, owner, name="Sofía", code="sofia", role="receptionist", pin="3333")
    receptionist = _identify(engine, "sofia", "3333", Permission.desk)
    with pytest.raises(NotPermitted):
        _identify(engine, "sofia", "3333", Permission.staff_manage)
    with pytest.raises(NotPermitted):
        _add(engine, receptionist, name="X", code="x", role="stylist", pin="1111")
    manager = _identify(engine, "marco", "2222")
    with pytest.raises(NotPermitted):
        _add(engine, manager, name="Y", code="y", role="owner", pin="1111")
    assert _add(engine, manager, name="Z", code="z", role="stylist", pin="1111").role == "stylist"
    with pytest.raises(NotPermitted):  # a manager does not manage the owner
        with UnitOfWork(engine) as uow:
            staff.deactivate(uow.session, actor=manager, who="lucia")


def test_last_owner_stays(engine, salon):
    with UnitOfWork(engine) as uow:
        with pytest.raises(RuleViolation, match="last active owner"):
            staff.update(uow.session, actor=SYSTEM, who="lucia", role="manager")


def test_deactivated_staff_cannot_act(engine, salon):
    owner = _identify(engine, "lucia", "1234")
    _add(engine, owner, name="Ana", code="ana", role="stylist", pin="4444")
    with UnitOfWork(engine) as uow:
        staff.deactivate(uow.session, actor=owner, who="ana")
        uow.commit()
    with pytest.raises(NotPermitted, match="deactivated"):
        _identify(engine, "ana", "4444", Permission.desk)


def test_bad_input_changes_nothing(engine, salon):
    owner = _identify(engine, "lucia", "1234")
    before = len(_audit(engine, "staff.add"))
    for kw, error in [
        (dict(name="A", code="lucia", role="stylist", pin="1111"), Conflict),
        (dict(name="A", code="a b", role="stylist", pin="1111"), InvalidInput),
        (dict(name="A", code="ab", role="wizard", pin="1111"), InvalidInput),
        (dict(name="A", code="ab", role="stylist", pin="12"), InvalidInput),
        (dict(name="A", code="system", role="stylist", pin="1234"), InvalidInput),
    ]:
        with pytest.raises(error):
            _add(engine, owner, **kw)
    assert len(_audit(engine, "staff.add")) == before
    with UnitOfWork(engine, write=False) as uow:
        assert len(staff.list_staff(uow.session)) == 1


def test_system_is_not_a_staff_member(engine, salon):
    with pytest.raises(NotPermitted):
        _identify(engine, "system", None, Permission.desk)


def test_the_product_hashes_pins_at_scrypt_n_2_14_and_checks_each_at_its_own_cost():
    """The tests hash at a lower cost (tests/conftest.py `_cheap_pins`); the product, in a process of its
    own, hashes at N=2**14, and a PIN hashed at either cost is checked at that cost."""
    import subprocess
    import sys

    from salon_cli.core import pins

    made = subprocess.run([sys.executable, "-c", "from salon_cli.core import pins; print(pins.hash_pin('4321'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert made.split("$")[1:4] == ["16384", "8", "1"]
    assert pins.verify_pin("4321", made) and not pins.verify_pin("4322", made)
    cheap = pins.hash_pin("4321")
    assert cheap.split("$")[1] == "1024" and pins.verify_pin("4321", cheap)
