"""Contract fields: one table for reads, input checks and imports, and the confidential
commercial values (Protected: readable by the contract's owner alone)."""

from __future__ import annotations

import json
import re
from typing import Any

from graph.core.fields import CPV, DATE, INT, Checker, Field, FieldTable
from graph.core.model import Label
from graph.core.visibility import Protected, Readable, Shape

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_OWNER_ONLY = ("readable by the contract's owner (the buyer that recorded it) alone; "
               "null with a FORBIDDEN error for everyone else.")
CONTRACT_VALUE = Protected("value", ("valueAmount", "valueCurrency"), Readable.OWNER,
                           description=f"Total contract value, {_OWNER_ONLY}")
CONTRACT_UNIT_PRICES = Protected("unitPrices", ("unitPrices",), Readable.OWNER,
                                 description=f"Unit prices, {_OWNER_ONLY}")
CONTRACT_QUANTITY = Protected("quantity", ("quantity",), Readable.OWNER,
                              description=f"Quantity contracted, {_OWNER_ONLY}")

CONTRACT_FIELDS = FieldTable(Label.CONTRACT, (
    Field("reference", required=True, max_len=200),
    Field("title", max_len=500),
    Field("startDate", DATE),
    Field("endDate", DATE),
    Field("cpvCodes", CPV),
    Field("quantity", INT, read=False),  # Protected: CONTRACT_QUANTITY
))

CONTRACT_SHAPE: Shape = CONTRACT_FIELDS.shape(
    protected=(CONTRACT_VALUE, CONTRACT_UNIT_PRICES, CONTRACT_QUANTITY))


def contract_props(data: dict[str, Any], c: Checker, *, partial: bool = False,
                   ) -> dict[str, Any]:
    props = CONTRACT_FIELDS.validate(data, c, partial=partial)
    value = data.get("value")
    if value is not None:
        vc = Checker((*c.prefix, "value"))
        amount = vc.number(value, "amount")
        currency = vc.text(value, "currency", required=True, max_len=3)
        if currency and not _CURRENCY.match(currency.upper()):
            vc.fail(f"{currency!r} is not an ISO 4217 currency code", "currency")
        props.update({k: v for k, v in (("valueAmount", amount),
                                        ("valueCurrency", currency.upper() if currency
                                         else None)) if v is not None})
        c.errors += vc.errors
    prices = data.get("unitPrices")
    if prices is not None:
        items = []
        for i, p in enumerate(prices):
            pc = Checker((*c.prefix, "unitPrices", i))
            items.append({"item": pc.text(p, "item", max_len=200),
                          "amount": pc.number(p, "amount"),
                          "currency": (pc.text(p, "currency", max_len=3) or "").upper() or None})
            c.errors += pc.errors
        props["unitPrices"] = json.dumps(items)
    start, end = props.get("startDate"), props.get("endDate")
    if start and end and end < start:
        c.fail("endDate is before startDate", "endDate")
    return props
