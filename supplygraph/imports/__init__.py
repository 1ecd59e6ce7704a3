"""Bulk import of disclosure lists (sites), OCDS packages (contracts) and report files.

Formats (docs/contributing.md):
- sites: CSV (UTF-8, comma or semicolon) or XLSX (first sheet), one site per row, columns
  mapped by header (`supplygraph.imports.sites.SITE_COLUMNS`: "Factory name", "Country",
  "No. of workers", ..., and Open Supply Hub's facility-list columns as they come);
  unknown columns are reported and ignored; two columns for one field are an error naming
  both; `name` and `country` are required.
- contracts: an OCDS release package (`{"releases": [...]}`) or record package
  (`{"records": [{"compiledRelease": ...}]}`).
- reports: JSON `{"reports": [<SubmitReportInput>, ...]}`, the fields of the
  `submitReport` mutation (siteId, kind, title, visitDate, findings [...], ...).

Every row is validated by the field tables the API uses (graph/<domain>/fields.py) and
written by the same commands (graph/<domain>/commands.py); sites go through matching
(`graph.sites.matching`) and the rows are planned by `graph.imports.site_rows`. Valid rows
are written in batches of `import_batch_size`, one transaction per batch: **a batch's valid
rows are written together or not at all**; invalid rows are reported, never written, and
never block the others; rows that need confirmation are kept as pending matches
(graph/sites/pending.py) in the same transaction. Each batch commits with its checkpoint
(`:ImportBatch`, keyed by the file's SHA-256, organisation, kind and batch number), so a
crashed import run again
resumes after the last committed batch without duplicates. `dry_run` reads and matches but
writes nothing.
"""

from __future__ import annotations

from supplygraph.imports.contracts import import_contracts
from supplygraph.imports.reports import import_reports
from supplygraph.imports.sites import import_sites

KINDS = ("sites", "contracts", "reports")
IMPORTERS = {"sites": import_sites, "contracts": import_contracts, "reports": import_reports}
