"""`salon service ...` and `salon product ...`: the menu and the retail shelf.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.core.permissions import Permission

service_app = typer.Typer(help="Services: name, category, duration and price.", no_args_is_help=True)
product_app = typer.Typer(help="Retail products sold at the desk.", no_args_is_help=True)

SERVICE_COLUMNS = ["id", "code", "name", "category", "duration_min", "price_cents", "active"]
PRODUCT_COLUMNS = ["id", "code", "name", "category", "price_cents", "stock", "active"]


def _cents(text: str | None, currency: str, what: str) -> int | None:
    from salon_cli.core.money import parse_amount

    return parse_amount(text, currency, what=what) if text is not None else None


@service_app.command("add")
def service_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="As clients read it."),
    duration: int = typer.Option(..., "--duration", help="Minutes."),
    price: str = typer.Option(..., "--price", help="In major units: 350 or 350.00."),
    category: str | None = typer.Option(None, "--category"),
    code: str | None = typer.Option(None, "--code", help="Short code (default: from the name)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a service (manager PIN).

    Example: salon --as lucia --pin 1234 service add "Keratina express" --duration 90 --price 1250 --category cuts
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    price_cents = _cents(price, loc.currency, "price")
    view = app.change(Permission.service_manage, lambda session, actor: catalog.add_service(
        session, actor=actor, location=loc, name=name, duration_min=duration,
        price_cents=price_cents or 0, category=category, code=code))
    emit(view, fmt, one=True, currency=loc.currency)


@service_app.command("list")
def service_list(
    ctx: typer.Context,
    category: str | None = typer.Option(None, "--category"),
    all_: bool = typer.Option(False, "--all", help="Include deactivated services."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List services.

    Example: salon service list --category colour -f json
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        rows = catalog.list_services(uow.session, location=loc, include_inactive=all_, category=category)
    emit(rows, fmt, columns=SERVICE_COLUMNS, currency=loc.currency)


@service_app.command("set")
def service_set(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Service id, code or name."),
    name: str | None = typer.Option(None, "--name"),
    duration: int | None = typer.Option(None, "--duration"),
    price: str | None = typer.Option(None, "--price"),
    category: str | None = typer.Option(None, "--category"),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a service (manager PIN). Booked appointments keep their price.

    Example: salon --as lucia --pin 1234 service set corte-dama --price 480
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    price_cents = _cents(price, loc.currency, "price")
    view = app.change(Permission.service_manage, lambda session, actor: catalog.update_service(
        session, actor=actor, location=loc, ref=ref, name=name,
        duration_min=duration, price_cents=price_cents, category=category,
        active=active))
    emit(view, fmt, one=True, currency=loc.currency)


@service_app.command("deactivate")
def service_deactivate(ctx: typer.Context, ref: str = typer.Argument(...), fmt: Format = FORMAT_OPTION) -> None:
    """Take a service off the menu; its history stays (manager PIN).

    Example: salon --as lucia --pin 1234 service deactivate 12
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.service_manage, lambda session, actor: catalog.update_service(
        session, actor=actor, location=loc, ref=ref, active=False))
    emit(view, fmt, one=True, currency=loc.currency)


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    price: str = typer.Option(..., "--price"),
    stock: int = typer.Option(0, "--stock"),
    category: str | None = typer.Option(None, "--category"),
    code: str | None = typer.Option(None, "--code"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a retail product (manager PIN).

    Example: salon --as lucia --pin 1234 product add "Shampoo Argán 300 ml" --price 289.90 --stock 12
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    price_cents = _cents(price, loc.currency, "price")
    view = app.change(Permission.service_manage, lambda session, actor: catalog.add_product(
        session, actor=actor, location=loc, name=name,
        price_cents=price_cents or 0, stock=stock, category=category, code=code))
    emit(view, fmt, one=True, currency=loc.currency)


@product_app.command("list")
def product_list(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Include deactivated products."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List retail products.

    Example: salon product list -f csv
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        rows = catalog.list_products(uow.session, location=loc, include_inactive=all_)
    emit(rows, fmt, columns=PRODUCT_COLUMNS, currency=loc.currency)


@product_app.command("set")
def product_set(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Product id, code or name."),
    name: str | None = typer.Option(None, "--name"),
    price: str | None = typer.Option(None, "--price"),
    stock: int | None = typer.Option(None, "--stock"),
    category: str | None = typer.Option(None, "--category"),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a product (manager PIN).

    Example: salon --as lucia --pin 1234 product set aceite-argan --stock 20
    """
    from salon_cli.services.salon import catalog

    app = app_context(ctx)
    loc = app.location()
    price_cents = _cents(price, loc.currency, "price")
    view = app.change(Permission.service_manage, lambda session, actor: catalog.update_product(
        session, actor=actor, location=loc, ref=ref, name=name,
        price_cents=price_cents, stock=stock, category=category, active=active))
    emit(view, fmt, one=True, currency=loc.currency)


def register(root: typer.Typer) -> None:
    root.add_typer(service_app, name="service")
    root.add_typer(product_app, name="product")
