"""What the GraphQL Organisation type reads of an organisation."""

from __future__ import annotations

from graph.core.fields import PROVENANCE
from graph.core.model import Label
from graph.core.visibility import Shape

ORGANISATION_SHAPE = Shape(Label.ORGANISATION, (*PROVENANCE, "name", "kind", "countryCode"))
