"""What a receipt line's description names: a service or a product of the location, read once.

A description is looked up, in this order: by code (any case; `101` of another system is our
`s-101` or `p-101`), by external code (the code the other system gave the item, as `import services`
and `import products` keep it: `SH UR 300`, `OIL9.5ML`, `CUT+2`, `A&B`; any case, spaces folded),
then by name (case and spaces aside). In each tier services come before products. A line whose
`kind` says service or product is looked up among those only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.core.codes import NUMERIC_PREFIX
from salon_cli.db.models import Product, Service
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import fold

ITEM_KINDS = ("service", "product")


@dataclass
class Catalog:
    """(tier, key) -> [(kind, id)] in the order the tiers are tried."""

    found: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)

    def add(self, tier: str, key: str, kind: str, item_id: int) -> None:
        items = self.found.setdefault((tier, key), [])
        if all(k != kind for k, _ in items):  # the first of each kind: services and products by id
            items.append((kind, item_id))

    def find(self, description: str, kind: str | None = None) -> tuple[str, int] | None:
        """The (kind, id) a description names, else None; only that kind's when `kind` is given."""
        lowered, folded = description.lower(), fold(description)
        for tier, key in (("code", lowered), ("external", folded), ("name", folded)):
            for item in self.found.get((tier, key), ()):
                if kind is None or item[0] == kind:
                    return item
        return None


def load(session: Session, location: LocationView) -> Catalog:
    catalog = Catalog()
    for model, kind in ((Service, "service"), (Product, "product")):
        query = (sa.select(model.id, model.code, model.external_code, model.name)  # type: ignore[attr-defined]
                 .where(model.location_id == location.id).order_by(model.id))  # type: ignore[attr-defined]
        prefix = NUMERIC_PREFIX[kind]
        for item_id, code, external, name in session.execute(query):
            catalog.add("code", code.lower(), kind, item_id)
            if code.startswith(prefix) and code[len(prefix):].isdigit():  # `101` of another system: `s-101` here
                catalog.add("code", code[len(prefix):], kind, item_id)
            if external:
                catalog.add("external", fold(external), kind, item_id)
            catalog.add("name", fold(name), kind, item_id)
    return catalog
