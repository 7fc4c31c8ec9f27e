"""Opening a CRM export: its encoding, its delimiter and its header.

Exports arrive as UTF-8 (with or without a byte-order mark), cp1252 from Excel, or UTF-16 with
tabs.  DuckDB reads UTF-8 directly; anything else is transcoded once into a UTF-8 copy in a
scratch folder, in chunks, so a large file never sits in memory whole.  A warehouse unload
arrives as Parquet, one file or a folder of parts; its column names are the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from slabuilder import words
from slabuilder.errors import ExportError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_BYTES = 1 << 20
_CHUNK = 1 << 22


@dataclass(frozen=True)
class ExportFile:
    """An export ready for DuckDB: a UTF-8 file, its delimiter and its column names."""

    source: Path
    """The file the user gave."""
    utf8_path: Path
    """The file DuckDB reads: ``source`` itself, or a UTF-8 copy of it."""
    encoding: str
    delimiter: str
    header: list[str]
    size_bytes: int
    parts: tuple[Path, ...] = ()
    """For Parquet: the files DuckDB reads, in order (empty for a CSV export)."""
    types: tuple[str, ...] = ()
    """For Parquet: the type of each column of ``header``, as DuckDB names it."""
    rows: int | None = None
    """For Parquet: the rows its parts hold, as their footers count them."""

    @property
    def is_parquet(self) -> bool:
        return bool(self.parts)


def detect_encoding(head: bytes) -> str:
    """Name the encoding of a file from its first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a mark still shows its NUL halves in plain ASCII headers.
    if len(head) >= 4 and head[1] == 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0:
        return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Read the five bytes cp1252 leaves undefined as Latin-1, as Excel does."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("slabuilder_latin1", _latin1_fallback)


def decode_cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="slabuilder_latin1")


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder(encoding)(errors="strict")


def read_header(source: Path, encoding: str, head: bytes | None = None) -> tuple[str, list[str]]:
    """The delimiter and the column names of the export's first line."""
    if head is None:
        head = _head(source)
    if not head.strip():
        raise ExportError("the file is empty; export the contacts or leads again", file=source)
    try:
        if encoding == "cp1252":
            text = decode_cp1252(head)
        else:
            text = _decoder(encoding).decode(head, final=False)
    except UnicodeDecodeError as error:
        raise ExportError(f"the first line cannot be read as {encoding} ({error.reason}); "
                          "save the export again as CSV UTF-8", file=source) from None
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if len(first_line) > MAX_HEADER_CHARS:
        raise ExportError(f"the first line is longer than {words.count(MAX_HEADER_CHARS)} "
                          "characters, "
                          "so it is not the header of a CRM export; export the contacts or "
                          "leads again as CSV", file=source, line=1)
    if _CONTROL.search(first_line):
        raise ExportError("is not a CSV text file (its first line holds binary data); export "
                          "the contacts or leads from the CRM as CSV and give that file",
                          file=source)
    delimiter = guess_delimiter(first_line)
    names = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    header = [name.strip().strip("\ufeff").strip() for name in names]
    if len(header) < 2:
        raise ExportError("the first line has a single column; the export should have one "
                          "column per property, separated by commas, semicolons or tabs",
                          file=source, line=1)
    return delimiter, header


# Characters no CSV header holds (tab, line ends and the byte-order mark aside): a
# spreadsheet, archive or image given as --actuals shows them at once.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def guess_delimiter(line: str) -> str:
    """The delimiter that splits the header line into the most columns (outside quotes)."""
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        fields = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        if len(fields) > best_count:
            best, best_count = delimiter, len(fields)
    return best


MAX_HEADER_CHARS = 64_000
"""A header line longer than this is not one a CRM wrote."""


def open_export(source: Path, scratch: Path, *, encoding: str | None = None,
                option: str = "--actuals") -> ExportFile:
    """Check that ``source`` is a readable regular file under the cap and make sure DuckDB
    gets it as UTF-8, under a name it takes literally."""
    from slabuilder.fsutil import check_input
    from slabuilder.limits import EXPORT_MAX_BYTES

    if not os.path.lexists(source):
        raise ExportError(f"no such file; check the path given to {option}", file=source)
    if source.is_dir():
        return open_parquet(source, sorted(source.glob("*.parquet")), scratch, option)
    size = check_input(source, what=f"file given to {option}", max_bytes=EXPORT_MAX_BYTES,
                       error_type=ExportError)
    head = _head(source)
    if head.startswith(PARQUET_MAGIC):
        return open_parquet(source, [source], scratch, option)
    encoding = encoding or detect_encoding(head)
    delimiter, header = read_header(source, encoding, head)
    if encoding in ("utf-8", "utf-8-sig"):
        return ExportFile(source, literal_path(source, scratch), encoding, delimiter, header,
                          size)
    copy = transcode_to_utf8(source, encoding, scratch)
    return ExportFile(source, copy, encoding, delimiter, header, size)


PARQUET_MAGIC = b"PAR1"
DAMAGED_PARQUET = ("cannot be read as Parquet: the file is cut short or damaged; unload the "
                   "table from the warehouse again")


def open_parquet(source: Path, parts: list[Path], scratch: Path, option: str) -> ExportFile:
    """A Parquet export: one file, or the ``*.parquet`` parts of a folder read in name order
    (as a warehouse numbers them), every part with the same columns."""
    import duckdb

    from slabuilder.fsutil import check_input
    from slabuilder.limits import EXPORT_MAX_BYTES

    if not parts:
        raise ExportError(f"is a folder with no .parquet files in it; give {option} a CSV "
                          "export, a Parquet file or a folder of Parquet parts", file=source)
    size = 0
    for part in parts:
        size += check_input(part, what=f"file given to {option}", max_bytes=EXPORT_MAX_BYTES,
                            error_type=ExportError)
        with part.open("rb") as handle:
            if handle.read(4) != PARQUET_MAGIC:
                raise ExportError("is not a Parquet file though its folder holds Parquet "
                                  "parts; remove it or unload the table again", file=part)
    if size > EXPORT_MAX_BYTES:
        raise ExportError(f"the parts add up to more than {words.count(EXPORT_MAX_BYTES)} "
                          "bytes, the "
                          "most slabuilder reads; unload fewer months", file=source)
    links = tuple(literal_path(part, scratch, suffix=".parquet") for part in parts)
    con = duckdb.connect()
    try:
        schemas = [con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(link)])
                   .fetchall() for link in links]
        counted = con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)",
                              [[str(link) for link in links]]).fetchone()
    except duckdb.Error:
        raise ExportError(DAMAGED_PARQUET, file=source) from None
    finally:
        con.close()
    first = [(str(row[0]), str(row[1])) for row in schemas[0]]
    for part, schema in zip(parts[1:], schemas[1:], strict=True):
        if [str(row[0]) for row in schema] != [name for name, _ in first]:
            raise ExportError(f"has other columns than {parts[0].name}; every part of the "
                              "unload must have the same columns", file=part)
    header = [name for name, _ in first]
    if len(header) < 2:
        raise ExportError("has a single column; the export should have one column per "
                          "property", file=source)
    return ExportFile(source, links[0], "parquet", "", header, size, links,
                      tuple(kind for _, kind in first), int(counted[0] or 0) if counted else 0)


def _head(source: Path) -> bytes:
    try:
        with source.open("rb") as handle:
            return handle.read(_SAMPLE_BYTES)
    except OSError as error:
        raise ExportError(f"cannot be read: {error.strerror}", file=source) from None


_PATTERN_CHARACTERS = re.compile(r"[*?\[\]{}]")


def literal_path(source: Path, scratch: Path, suffix: str = ".csv") -> Path:
    """``source`` under a name DuckDB cannot read as a pattern.

    DuckDB expands ``*``, ``?``, ``[...]`` and ``{a,b}`` in the paths it reads, so a file
    literally named ``leads*.csv`` would read every matching file.  Such a file is read
    through a link (or a copy) with a plain name in the scratch folder."""
    if not _PATTERN_CHARACTERS.search(str(source)):
        return source
    target = scratch / f"export-{len(list(scratch.iterdir()))}{suffix}"
    try:
        target.symlink_to(source.resolve())
    except OSError:
        import shutil

        shutil.copyfile(source, target)
    return target


def transcode_to_utf8(source: Path, encoding: str, scratch: Path) -> Path:
    """Write a UTF-8 copy of ``source`` into ``scratch``, chunk by chunk."""
    target = scratch / f"export-{len(list(scratch.iterdir()))}.utf8.csv"
    decoder = None if encoding == "cp1252" else _decoder(encoding)
    offset = 0
    try:
        with source.open("rb") as reader, target.open("w", encoding="utf-8",
                                                      newline="") as writer:
            while chunk := reader.read(_CHUNK):
                text = decode_cp1252(chunk) if decoder is None else decoder.decode(chunk)
                if offset == 0:
                    text = text.lstrip("\ufeff")
                writer.write(text)
                offset += len(chunk)
            if decoder is not None:
                writer.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as error:
        raise ExportError(f"byte {offset + error.start + 1} cannot be read as {encoding}; "
                          "save the export again as CSV UTF-8", file=source) from None
    return target
