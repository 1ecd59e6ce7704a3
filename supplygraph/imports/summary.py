"""The result of an import: one row result per input row, counts, and the summary CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.imports.site_rows import REJECTED, RowResult
from graph.sites.matching import NEEDS_CONFIRMATION
from graph.sites.planning import CONFIRMED, CREATED

if TYPE_CHECKING:
    from supplygraph.imports.sites import HeaderReport

__all__ = ["SUMMARY_COLUMNS", "RowResult", "Summary", "summary_rows", "write_summary_csv"]

UPDATED = "UPDATED"
Progress = Callable[[int], None]


@dataclass
class Summary:
    kind: str
    file: str
    sha256: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    header: HeaderReport | None = None
    resumed_batches: int = 0
    seconds: float = 0.0

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.results if r.outcome in outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "sha256": self.sha256, "dryRun": self.dry_run,
            "rows": len(self.results), "created": self.count(CREATED),
            "matched": self.count("MATCHED", CONFIRMED), "updated": self.count(UPDATED),
            "needsConfirmation": self.count(NEEDS_CONFIRMATION),
            "rejected": self.count(REJECTED), "resumedBatches": self.resumed_batches,
            "seconds": round(self.seconds, 2),
            "rowsPerSecond": round(len(self.results) / self.seconds, 1) if self.seconds else None,
            "unknownColumns": self.header.unknown if self.header else [],
            "mappedColumns": self.header.mapped if self.header else {},
        }


def _safe_cell(value: Any) -> str:
    """Spreadsheet formula injection: a cell that starts like a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


SUMMARY_COLUMNS = ["row", "outcome", "id", "name", "candidates", "errors", "pending match"]


def summary_rows(results: Iterable[RowResult]) -> Iterator[list[str]]:
    """The per-row summary as CSV rows (no header): the CLI's file and the web app's
    download are the same table."""
    for r in results:
        cands = "; ".join(f"{c['id']} ({c['score']}{_parts(c.get('parts'))})"
                          for c in r.candidates)
        yield [str(r.row), r.outcome, _safe_cell(r.record_id), _safe_cell(r.name),
               _safe_cell(cands), _safe_cell("; ".join(r.errors)), _safe_cell(r.pending_id)]


def write_summary_csv(summary: Summary, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SUMMARY_COLUMNS)
        w.writerows(summary_rows(summary.results))


def _parts(parts: dict[str, Any] | None) -> str:
    """A candidate's score parts, for a reviewer reading the summary."""
    if not parts:
        return ""
    out = [f"name {parts['name']}"]
    if parts.get("address") is not None:
        out.append(f"address {parts['address']}")
    if parts.get("distanceM") is not None:
        out.append(f"{parts['distanceM']} m")
    if parts.get("identifiers") not in (None, "NONE"):
        out.append(f"identifiers {parts['identifiers']}")
    out += parts.get("reasons") or []
    return ": " + ", ".join(str(x) for x in out)
