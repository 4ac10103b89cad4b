"""Issue 30: a membership's `birthday_gift`. With `loyalty program set --birthday-gift-reward ID`, the
birthday job (`send-reminders` runs it first) gives a member whose active plan lists the benefit a
redemption code of that reward on their birthday: no points spent, one per birthday year, told in a
`birthday_gift` message (a service message: no marketing consent needed; its wording is the location's
template); it pays at checkout like any reward code. Both databases.

The salon is `tests/shop.py`'s (no taxes): now is Saturday 2026-11-21 11:00 in Mexico City. Ximena (1,
born 1990-11-21, consent) has appointment 1 (corte 350.00, 12:00) and the Black plan (15 % off, with
`birthday_gift`), paid in cash. The reward is "Corte de cumpleaños": a free corte.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import col, select

from cli_helpers import MARCO, OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.models import AuditLog, LoyaltyAccount, LoyaltyEntry, Outbox, Redemption
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.benefits import birthdays
from salon_cli.services.memberships import subscriptions
from salon_cli.services.salon import locations
from salon_cli.services.till import membership_fees
from shop import make_shop

MX = timezone(timedelta(hours=-6))


def _local(y, m, d, hh=11, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=MX)


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _member(engine, shop, client: int, plan: str) -> None:
    with UnitOfWork(engine) as uow:
        membership_fees.subscribe(uow.session, actor=shop.sofia, location=shop.loc, client_id=client,
                                  plan_code=plan, pay_method="cash")
        uow.commit()


@pytest.fixture
def desk(shop, engine, db_url):
    ok(db_url, *OWNER, "client", "edit", "1", "--birthday", "1990-11-21", "--marketing-consent")
    _member(engine, shop, shop.ximena, "black")
    reward = js(db_url, *OWNER, "loyalty", "rewards", "add", "Corte de cumpleaños", "--points", "0",
                "--kind", "free_service", "--service", "corte")
    program = js(db_url, *OWNER, "loyalty", "program", "set", "--birthday-gift-reward", str(reward["id"]))
    assert (program["birthday_gift_reward_id"], program["birthday_gift_reward"]) == (reward["id"], "Corte de cumpleaños")
    return db_url


def _read(engine, fn):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session)


def _gifts(engine) -> list[tuple[int, str, int, int, str, int | None]]:
    """(client, code, points, birthday year, status, sale) of every gift, oldest first."""
    rows = _read(engine, lambda s: s.exec(select(LoyaltyAccount.client_id, Redemption)
                                          .join(Redemption, col(Redemption.account_id) == LoyaltyAccount.id)
                                          .where(col(Redemption.birthday_year).is_not(None))
                                          .order_by(col(Redemption.id))).all())
    return [(cid, r.code, r.points, r.birthday_year, r.status, r.sale_id) for cid, r in rows]


def _loc(engine):
    return _read(engine, lambda s: locations.resolve(s, None))


def test_a_member_gets_one_gift_a_year_told_in_a_message(desk, engine, clock):
    assert _read(engine, lambda s: s.exec(select(LoyaltyAccount)).all()) == []  # no card yet
    clock.set(_local(2026, 11, 20))
    assert js(desk, "send-reminders")["birthday_gifts"] == 0
    clock.set(_local(2026, 11, 21))
    run = js(desk, "send-reminders")
    assert (run["birthday_codes"], run["birthday_gifts"]) == (0, 1)
    [(client, code, points, year, status, sale)] = _gifts(engine)
    assert (client, points, year, status, sale) == (1, 0, 2026, "issued", None)
    card = js(desk, "loyalty", "card", "1")  # enrolled by the gift, with the welcome bonus
    assert [(c["code"], c["description"]) for c in card["codes"]] == [(code, "Corte de cumpleaños")]
    assert card["points"] == 50  # the welcome bonus: the gift spent none
    entry = _read(engine, lambda s: s.exec(select(LoyaltyEntry).where(col(LoyaltyEntry.redemption_id).is_not(None))).one())
    assert (entry.kind, entry.points, entry.stamps, entry.reason) == ("stamp_reward", 0, 0,
                                                                      "birthday gift: Corte de cumpleaños")
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "loyalty.birthday_gift")).all())
    assert [(a.actor, a.after["code"], a.after["birthday_year"]) for a in audit] == [("system", code, 2026)]
    [message] = _read(engine, lambda s: s.exec(select(Outbox).where(
        col(Outbox.dedupe_key) == "birthday_gift:client:1:2026")).all())
    assert (message.template, message.purpose, message.language, message.channel) == (
        "birthday_gift", "service", "es", "sms")
    assert message.body == (f"¡Feliz cumpleaños, Ximena! Tu membresía te regala Corte de cumpleaños: muestra el "
                            f"código {code} en tu próxima visita a Salón Centro.")
    assert message.payload["birthday_gift"] == {"code": code, "reward": "Corte de cumpleaños", "birthday_year": 2026}
    # the same birthday again: nothing more; the next birthday: the next gift
    assert js(desk, "send-reminders")["birthday_gifts"] == 0
    assert len(_gifts(engine)) == 1
    nxt = birthdays.run(engine, location=_loc(engine), as_of=_local(2027, 11, 21))
    assert [(g.client_id, g.birthday_year) for g in nxt.gifts] == [(1, 2027)]
    assert [g[3] for g in _gifts(engine)] == [2026, 2027]


def test_the_gift_pays_its_corte_at_checkout_once(desk, engine, clock):
    ok(desk, "send-reminders")
    [(_, code, *_rest)] = _gifts(engine)
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--product", "shampoo", "--pay", "cash")
    # Black takes 15 % off: the corte 297.50, the shampoo 153.00; the gift pays the corte as priced
    assert (sale["subtotal_cents"], sale["discount_cents"], sale["total_cents"]) == (53000, 7950, 45050)
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 29750), ("cash", 15300)]
    assert _gifts(engine)[0][4:] == ("used", sale["id"])
    again = cli(desk, *SOFIA, "checkout", str(js(desk, *OWNER, "appt", "book", "--client", "1", "--service", "corte",
                                                  "--staff", "ana", "--at", "2026-11-21 16:00")["id"]),
                "--redeem", code, "--pay", "cash")
    assert again.code == 1 and again.stderr.splitlines()[0] == f"error: code {code} is used (sale {sale['id']})"


def test_a_voided_gift_is_not_given_again_that_year(desk, engine):
    ok(desk, "send-reminders")
    [(_, code, *_rest)] = _gifts(engine)
    voided = js(desk, *SOFIA, "loyalty", "void", code, "--reason", "client asked")
    assert (voided["status"], voided["points"], voided["balance"]) == ("voided", 0, 50)  # the welcome bonus only
    assert js(desk, "send-reminders")["birthday_gifts"] == 0
    assert [g[4] for g in _gifts(engine)] == ["voided"]


def test_no_gift_for_a_paused_membership_a_plan_without_it_or_without_a_reward(desk, engine, shop, clock):
    ok(desk, *OWNER, "client", "edit", "2", "--birthday", "1985-11-21", "--marketing-consent")
    _member(engine, shop, shop.pedro, "gold")  # Gold has no birthday_gift
    with UnitOfWork(engine) as uow:
        subscriptions.pause(uow.session, actor=shop.marco, location=shop.loc, client_id=shop.ximena)
        uow.commit()
    assert js(desk, "send-reminders")["birthday_gifts"] == 0
    with UnitOfWork(engine) as uow:
        subscriptions.resume(uow.session, actor=shop.marco, location=shop.loc, client_id=shop.ximena)
        uow.commit()
    program = js(desk, *OWNER, "loyalty", "program", "set", "--birthday-gift-reward", "none")
    assert (program["birthday_gift_reward_id"], program["birthday_gift_reward"]) == (None, None)
    assert js(desk, "send-reminders")["birthday_gifts"] == 0
    assert _gifts(engine) == []


def _gift_messages(engine) -> list[Outbox]:
    return _read(engine, lambda s: list(s.exec(select(Outbox).where(col(Outbox.template) == "birthday_gift")
                                              .order_by(col(Outbox.id))).all()))


def test_a_member_without_consent_gets_the_gift_and_its_message(desk, engine, shop):
    ok(desk, *OWNER, "client", "edit", "1", "--no-marketing-consent")
    ok(desk, *OWNER, "client", "edit", "2", "--birthday", "1985-11-21")  # no consent, no phone, no e-mail
    _member(engine, shop, shop.pedro, "black")
    ok(desk, *OWNER, "client", "prefs", "1", "--language", "en")
    run = js(desk, "send-reminders")
    assert run["birthday_gifts"] == 2
    [(_, xime, *_x), (_, pedro, *_p)] = _gifts(engine)
    told, unreachable = _gift_messages(engine)
    assert (told.client_id, told.template, told.purpose, told.channel, told.recipient) == (
        1, "birthday_gift", "service", "sms", "+525512345678")
    assert told.body == (f"Happy birthday, Ximena! Your membership gives you Corte de cumpleaños: show the code "
                         f"{xime} on your next visit to Salón Centro.")
    assert told.payload["birthday_gift"] == {"code": xime, "reward": "Corte de cumpleaños", "birthday_year": 2026}
    # a gift's message still needs a channel: Pedro's is written skipped, with why
    assert (unreachable.client_id, unreachable.status, unreachable.error) == (
        2, "skipped", "the client has no phone or e-mail address")
    assert pedro in unreachable.body
    # the `birthday` greeting stays a promotion: neither gets one without consent
    assert _read(engine, lambda s: s.exec(select(Outbox).where(Outbox.template == "birthday")).all()) == []


def test_the_location_words_the_gift_its_own_way(desk, engine):
    body = "{client_first_name}, tu regalo: {reward_name}. Código {gift_code}. {location_name}"
    bad = cli(desk, *MARCO, "template", "set", "birthday_gift", "--language", "es", "--body", "Tu código {offer_code}")
    assert bad.code == 2
    assert bad.stderr.splitlines() == [
        "error: birthday_gift (es) body: unknown placeholder {offer_code}",
        "hint: a birthday_gift may use {client_first_name}, {client_last_name}, {location_name}, {location_phone}, "
        "{gift_code}, {reward_name}"]
    assert js(desk, "template", "list", "--message", "birthday_gift", "--language", "es")[0]["source"] == "default"
    assert cli(desk, *SOFIA, "template", "set", "birthday_gift", "--body", body).code == 3
    assert js(desk, *MARCO, "template", "set", "birthday_gift", "--language", "es", "--body", body)["source"] == "custom"
    shown = ok(desk, "template", "preview", "birthday_gift", "--client", "1")
    assert shown.stdout == ("Subject: Tu regalo de cumpleaños en Salón Centro\n\n"
                            "Ximena, tu regalo: Corte de cumpleaños. Código K7QM-3XPD. Salón Centro\n")
    ok(desk, "send-reminders")
    [(_, code, *_rest)] = _gifts(engine)
    [message] = _gift_messages(engine)
    assert message.body == f"Ximena, tu regalo: Corte de cumpleaños. Código {code}. Salón Centro"


def test_two_runs_at_once_give_one_gift(desk, engine):
    import threading

    loc, gate, found, errors = _loc(engine), threading.Barrier(2), [], []

    def one_run():
        try:
            gate.wait(timeout=10)
            found.append(birthdays.run(engine, location=loc))
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(exc)

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r.birthday_gifts for r in found) == [0, 1]
    assert len(_gifts(engine)) == 1


def test_choosing_the_gift_is_a_manager_s_and_takes_a_reward_id(desk, db_url):
    before = js(desk, "loyalty", "program", "show")
    for args, code, line in (
        (["--birthday-gift-reward", "corte"], 2, "error: --birthday-gift-reward 'corte' is not a reward id or none"),
        (["--birthday-gift-reward", "99"], 1, "error: no active reward 99"),
    ):
        run = cli(desk, *OWNER, "loyalty", "program", "set", *args)
        assert (run.code, run.stderr.splitlines()[0]) == (code, line)
    refused = cli(desk, *SOFIA, "loyalty", "program", "set", "--birthday-gift-reward", "none")
    assert refused.code == 3
    assert js(desk, "loyalty", "program", "show") == before
    assert js(desk, *MARCO, "loyalty", "program", "set", "--birthday-gift-reward", "none")["birthday_gift_reward_id"] is None
    assert "Example:" in ok(desk, "loyalty", "program", "set", "--help").stdout
