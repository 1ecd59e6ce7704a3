"""Reading import files: size and type checks, CSV/XLSX rows, JSON documents."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supplygraph.settings import Settings

MAX_ROWS = 1_000_000
MAX_COLUMNS = 200


class ImportFileError(Exception):
    """The file as a whole cannot be imported: one clear line for the user; `code` says
    which problem it is (for the web app's message at the field), `header` the columns
    understood when the header is the problem."""

    def __init__(self, message: str, code: str = "UNREADABLE", header: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.header = header


def check_file(path: Path, settings: Settings, kind: str) -> tuple[str, bytes]:
    """(format, content): csv, xlsx or json, after the size and type checks."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    size = path.stat().st_size
    if size > settings.import_max_bytes:
        raise ImportFileError(
            f"{path.name}: {size / 1e6:.1f} MB is over the import limit of "
            f"{settings.import_max_bytes / 1e6:.0f} MB (SUPPLYGRAPH_IMPORT_MAX_BYTES); "
            "split the file", code="TOO_BIG")
    return check_content(path.name, path.read_bytes(), kind)


def check_content(name: str, data: bytes, kind: str) -> tuple[str, bytes]:
    """(format, content) of a file's bytes, by its name's suffix: the type checks of
    `check_file`, shared with the web app's upload (supplygraph/web/imports.py)."""
    if not data:
        raise ImportFileError(f"{name}: the file is empty", code="EMPTY")
    suffix = Path(name).suffix.lower()
    allowed = {"sites": (".csv", ".txt", ".xlsx", ".xlsm"), "contracts": (".json",),
               "reports": (".json",)}[kind]
    if suffix not in allowed:
        raise ImportFileError(f"{name}: {kind} are imported from "
                              f"{' or '.join(allowed)} files, not {suffix or 'this file'}",
                              code="FILE_TYPE")
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise ImportFileError(f"{name}: not an XLSX workbook (no zip signature)")
        return "xlsx", data
    if b"\x00" in data[:65536]:
        raise ImportFileError(f"{name}: binary content, not text", code="FILE_TYPE")
    return ("json" if suffix == ".json" else "csv"), data


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name}: not UTF-8 (or Windows-1252) text")


def table_rows(fmt: str, data: bytes, name: str) -> Iterator[list[Any]]:
    """The header row first, then data rows, as lists of cell values."""
    if fmt == "csv":
        text = _decode(data, name)
        sample = text[:8192]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(f"{name}: more than {MAX_COLUMNS} columns",
                                          code="TOO_MANY_COLUMNS")
                yield row
        except csv.Error as exc:
            raise ImportFileError(f"{name}: not a readable CSV file (line {reader.line_num}: "
                                  f"{exc})") from None
        return
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{name}: not a readable XLSX workbook "
                              f"({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on hostile files
        raise ImportFileError(f"{name}: not a readable XLSX workbook "
                              f"({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                row = row[:MAX_COLUMNS]
            yield list(row)
    finally:
        wb.close()


def load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(_decode(data, name))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(f"{name}: not valid JSON ({str(exc)[:120]})") from None
