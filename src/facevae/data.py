"""Read, check and split the face table.

The table has one row per face: ``age,ethnicity,gender,img_name,pixels`` where ``pixels``
holds 2304 space-separated integers (a 48x48 greyscale image, row-major). The parser turns
blocks of ``pixels`` rows into byte buffers and decodes them with array operations, so the
real table (23,705 rows, 55 million numbers) parses in about a second without a Python loop
over pixels.

Every check reports the file, the first offending line numbers and the problem, through
:class:`DataError`. Line numbers are physical lines of the file (1-based, the header is
normally line 1), counting the blank lines pandas skips and every line of a quoted field
that spans several; they are worked out by reading the file a second time, only when an
error is raised, so a good table never pays for them. Text from the file shown in a message
(a bad value, the header's columns) is cut to a few dozen characters, and ``img_name`` may
be at most ``MAX_NAME_LENGTH`` characters long (the names are stored in a fixed-width array).

:func:`split_indices` refuses fractions that do not sum to 1 and splits that would leave a
part with fewer than ``MIN_PART_FACES`` faces.
"""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from isal import igzip_threaded
from isal.isal_zlib import error as IsalError

from facevae import SIDE

# The labels' names and JSON keys live with every other name.
from facevae.names import ETHNICITY_KEYS, ETHNICITY_NAMES, GENDER_KEYS, GENDER_NAMES  # noqa: F401

N_PIXELS = SIDE * SIDE
COLUMNS = ("age", "ethnicity", "gender", "img_name", "pixels")
LABEL_RANGES = {"age": (1, 116), "ethnicity": (0, 4), "gender": (0, 1)}
SPLIT_NAMES = ("train", "val", "test")
OLD_AGE = 80  # the data chapter counts faces older than this
MAX_NAME_LENGTH = 255  # longest img_name accepted, in characters (like a file name)
MIN_PART_FACES = 1  # fewest faces a split part may get (validation and test divide by it)
MAX_TABLE_MB = 2048  # most a table may hold, decompressed (the real one: about 210 MB)
FRACTION_TOLERANCE = 1e-6  # how far the split fractions' sum may be from 1
_SHOW_LINES = 5  # how many offending line numbers an error message lists
_SHOW_CHARS = 40  # how much of a value from the file an error message shows
_SHOW_COLUMNS = 8  # how many header columns an error message shows


class DataError(ValueError):
    """The input table is malformed; the message names the file, lines and problem."""


def _show(text: str) -> str:
    """Quote text from the file for a message, cut to _SHOW_CHARS characters if longer."""
    if len(text) <= _SHOW_CHARS:
        return repr(text)
    return f"{text[:_SHOW_CHARS]!r}... ({len(text):,} characters)"


def _show_list(names) -> str:
    """A list of names from the file for a message: the first few, each cut short."""
    names = list(names)
    shown = [_show(str(name)) for name in names[:_SHOW_COLUMNS]]
    if len(names) > _SHOW_COLUMNS:
        shown.append(f"... {len(names) - _SHOW_COLUMNS:,} more")
    return "[" + ", ".join(shown) + "]"


class _Lines:
    """Names the physical line of the file where each table row starts, found on demand.

    pandas skips blank lines (empty or only spaces and tabs) and lets a quoted field run
    over several lines, so data row r is not always line r + 2. The real lines are found by
    reading the file again with the csv module, which splits records the same way; that
    costs about a second on the real table, so it is done only when an error needs it.
    ``n_rows`` (the table's row count, once known) cross-checks that second read.
    With ``scan=False`` (rows that did not come from reading the file) row r is line r + 2.
    """

    def __init__(
        self, path, n_rows: int | None = None, scan: bool = True, max_mb: int = MAX_TABLE_MB
    ):
        self.path = path
        self.max_mb = max_mb
        self.n_rows = n_rows
        self._scan = scan
        self._tried = False  # read the file at most once, even if that read fails
        self._starts: np.ndarray | None = None  # first line of every record, blank or not
        self._blank: np.ndarray | None = None  # whether that record is a skipped blank line

    def __str__(self) -> str:
        return str(self.path)

    def _read(self) -> bool:
        """Find where each record starts (once); False if the file cannot be re-read."""
        if self._scan and not self._tried:
            self._tried = True
            try:
                self._starts, self._blank = _record_starts(Path(self.path), self.max_mb)
            except (csv.Error, UnicodeDecodeError, EOFError, OSError, IsalError):
                pass
        return self._starts is not None

    def of_record(self, number: int) -> int | None:
        """Line of pandas' record ``number`` (0-based, blank lines counted); None if unknown."""
        if self._read() and 0 <= number < len(self._starts):
            return int(self._starts[number])
        return None

    def header(self) -> int:
        """The header's line: the first one that is not blank (1 if the file cannot be re-read)."""
        if self._read() and not self._blank.all():
            return int(self._starts[~self._blank][0])
        return 1

    def of_rows(self, rows: np.ndarray) -> np.ndarray | None:
        """Lines where data rows (0-based, sorted) start; None if they cannot be told."""
        if not self._scan:
            return rows + 2  # rows not read from a file: no blank lines, no multi-line fields
        if not self._read():
            return None
        records = self._starts[~self._blank]  # the header, then one per data row
        agree = self.n_rows is None or len(records) == self.n_rows + 1
        if not agree or (len(rows) and rows[-1] + 1 >= len(records)):
            return None  # the csv module split the file differently from pandas
        return records[rows + 1]


def _record_starts(path: Path, max_mb: int = MAX_TABLE_MB) -> tuple[np.ndarray, np.ndarray]:
    """First physical line of each CSV record, and whether pandas skips it as blank."""
    starts, blank = [], []
    last = ""  # the physical line the csv reader took most recently

    def physical_lines(text):
        nonlocal last
        for last in text:
            yield last

    # The csv module refuses fields over 128 kB by default; lift that limit (it is shared
    # by the whole process) while reading, so a row with an oversized field is still found.
    old_limit = csv.field_size_limit(2**31 - 1)
    try:
        # newline="" hands the reader each line with its own ending (LF, CRLF or CR), as
        # the C parser splits them; utf-8-sig drops a byte-order mark, as for pandas.
        with _open(path, max_mb) as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
            reader = csv.reader(physical_lines(text))
            done = 0  # lines read so far
            for _ in reader:
                starts.append(done + 1)
                # pandas skips a line of nothing but spaces and tabs; a record in quotes
                # ("") or over several lines is never blank.
                blank.append(reader.line_num == done + 1 and not last.strip(" \t\r\n"))
                done = reader.line_num
    finally:
        csv.field_size_limit(old_limit)
    return np.array(starts, dtype=np.int64), np.array(blank, dtype=bool)


def _fail(lines: _Lines | str | Path, rows, problem: str):
    """Raise a DataError naming the first few offending rows by their physical lines.

    ``lines`` is the table's :class:`_Lines`, or a bare path (then row 0 is line 2).
    """
    if not isinstance(lines, _Lines):
        lines = _Lines(lines, scan=False)
    rows = np.sort(np.asarray(rows, dtype=np.int64))
    first = rows[:_SHOW_LINES]
    more = f" and {len(rows) - _SHOW_LINES} more" if len(rows) > _SHOW_LINES else ""
    numbers = lines.of_rows(first)
    if numbers is None:
        # The second read disagreed with pandas: name the rows rather than guess lines.
        where = "data row " + ", ".join(str(r + 1) for r in first) + more
        where += " (line numbers unknown)"
    else:
        where = "line " + ", ".join(str(n) for n in numbers) + more
    raise DataError(f"{lines}: {where}: {problem}")


class _Capped(io.RawIOBase):
    """A binary file that stops with a DataError once more than ``max_mb`` MB came out of
    it: a small compressed file that inflates without bound (a gzip bomb) is refused
    instead of being read until memory runs out."""

    def __init__(self, raw, path: Path, max_mb: int):
        self._raw, self._path, self._max_mb, self._seen = raw, path, max_mb, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self._seen += n
        if self._seen > self._max_mb * 2**20:
            raise DataError(
                f"{self._path}: holds more than {self._max_mb:,} MB of text once decompressed;"
                " the real table holds about 210 MB. If the file is right, raise the limit"
                f" (--config max_table_mb={2 * self._max_mb})"
            )
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open(path: Path, max_mb: int = MAX_TABLE_MB):
    raw = igzip_threaded.open(path, "rb", threads=1) if path.suffix == ".gz" else open(path, "rb")
    return io.BufferedReader(_Capped(raw, path, max_mb), buffer_size=2**20)


def _read_table(lines: _Lines) -> pd.DataFrame:
    """Read the table as text; check its header and that it has rows."""
    path = Path(lines.path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        # A .gz is inflated by ISA-L in a thread of its own while pandas parses: about twice
        # as fast as pandas' own gzip reading. utf-8-sig drops a byte-order mark; the C parser
        # accepts CRLF line ends.
        with _open(path, lines.max_mb) as handle:
            table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty (expected a header and rows)") from None
    except pd.errors.ParserError as err:
        raise DataError(_parser_error_message(lines, err)) from None
    except (UnicodeDecodeError, EOFError, OSError, IsalError) as err:
        raise DataError(f"{path}: cannot be read as CSV: {err}") from None
    table.columns = [c.strip() for c in table.columns]
    twice = sorted({c for c in table.columns if list(table.columns).count(c) > 1})
    if twice:
        raise DataError(
            f"{path}: line {lines.header()}: the header names {_show_list(twice)} more than"
            " once (spaces around a name are ignored); keep one column of each"
        )
    missing = [c for c in COLUMNS if c not in table.columns]
    extra = [c for c in table.columns if c not in COLUMNS]
    if missing or extra:
        raise DataError(
            f"{path}: line {lines.header()}: header has columns {_show_list(table.columns)}; "
            f"expected {list(COLUMNS)} (missing {missing}, unexpected {_show_list(extra)})"
        )
    if len(table) == 0:
        raise DataError(f"{path}: the file has a header but no rows")
    lines.n_rows = len(table)
    return table


# pandas' C parser counts records, blank lines included: "line" from 1, "row" from 0.
_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _parser_error_message(lines: _Lines, err: pd.errors.ParserError) -> str:
    """Reword pandas' tokenizer error with the physical line (pandas counts records)."""
    text = str(err).strip()
    if found := _FIELD_COUNT.search(text):
        expected, record, seen = (int(g) for g in found.groups())
        if (line := lines.of_record(record - 1)) is not None:
            return (
                f"{lines}: line {line}: cannot be read as CSV: {seen} fields, expected "
                f"{expected} like the header (a comma in an unquoted field?)"
            )
    if found := _OPEN_QUOTE.search(text):
        if (line := lines.of_record(int(found.group(1)))) is not None:
            return (
                f"{lines}: line {line}: cannot be read as CSV: a quote opened here is never closed"
            )
    return f"{lines}: cannot be read as CSV: {text[:200]}"


def _parse_labels(lines: _Lines, table: pd.DataFrame) -> dict[str, np.ndarray]:
    labels = {}
    for name, (low, high) in LABEL_RANGES.items():
        text = table[name].str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy()
        bad = np.flatnonzero(np.isnan(values) | (values % 1 != 0))
        if len(bad):
            _fail(lines, bad, f"{name} is not an integer (e.g. {_show(text.iloc[bad[0]])})")
        # The range is checked before the cast, so a huge value such as 1e30 is shown as it
        # is rather than as whatever an overflowing int64 makes of it.
        bad = np.flatnonzero((values < low) | (values > high))
        if len(bad):
            _fail(lines, bad, f"{name} = {values[bad[0]]:.15g} is outside {low}..{high}")
        labels[name] = values.astype(np.int64)
    return labels


def check_class_counts(path, faces: dict[str, np.ndarray]) -> None:
    """Every gender and ethnicity needs a face in each part of the split (its recall and the
    confusion matrices are computed there): refuse a table (``path``, parsed into ``faces``)
    with fewer than one face per part of a class, before anything trains."""
    for task, names in (("gender", GENDER_NAMES), ("ethnicity", ETHNICITY_NAMES)):
        counts = np.bincount(faces[task], minlength=len(names))
        few = [
            f"{k} ({name}): {counts[k]}"
            for k, name in enumerate(names)
            if counts[k] < len(SPLIT_NAMES)
        ]
        if few:
            shown = ", ".join(f"{name} {n:,}" for name, n in zip(names, counts))
            raise DataError(
                f"{path}: too few faces of {task} {'; '.join(few)} (all: {shown}); every"
                f" class needs at least {len(SPLIT_NAMES)}, one for each part of the split"
            )


def _check_names(lines: _Lines, names: pd.Series) -> None:
    """Names end up in a fixed-width array, whose width is the longest name: bound it."""
    length = names.str.len().to_numpy()
    bad = np.flatnonzero(length > MAX_NAME_LENGTH)
    if len(bad):
        _fail(
            lines,
            bad,
            f"img_name is {length[bad[0]]:,} characters long, the limit is {MAX_NAME_LENGTH} "
            f"(it starts {names.iloc[bad[0]][:_SHOW_CHARS]!r}...)",
        )


def parse_pixels(source, pixels: pd.Series, threads: int = 1, chunk_rows: int = 256) -> np.ndarray:
    """Decode a column of pixel strings into uint8 images of shape (N, 48, 48).

    ``source`` names the rows in error messages: a path (row 0 is then line 2) or, inside
    this module, the table's :class:`_Lines`.

    The rows are decoded ``chunk_rows`` at a time (see ``_decode_chunk``), so every
    intermediate array stays a few MB: small enough for the CPU cache and for the allocator to
    reuse, which is 2-4x faster than one pass over the whole 200 MB column (that pass spends
    most of its time faulting in fresh memory). The chunks are decoded on ``threads`` threads;
    numpy releases the GIL in the array operations. All chunks are checked before
    any error is raised, so a message counts every offending row of the table.
    """
    rows = pixels.tolist()
    images = np.empty((len(rows), N_PIXELS), np.uint8)

    def decode(first: int) -> tuple[int, np.ndarray, str] | None:
        chunk = rows[first : first + chunk_rows]
        values, problem = _decode_chunk(chunk)
        if problem is None:
            images[first : first + len(chunk)] = values.reshape(len(chunk), N_PIXELS)
            return None
        rank, bad, message = problem
        return rank, bad + first, message

    with ThreadPoolExecutor(max(threads, 1)) as pool:
        found = [p for p in pool.map(decode, range(0, len(rows), chunk_rows)) if p is not None]
    if found:
        # Report the first kind of problem (in the order checked), across all chunks, with
        # the message (and example) of its first occurrence.
        worst = min(rank for rank, _, _ in found)
        same = [(bad, message) for rank, bad, message in found if rank == worst]
        _fail(source, np.concatenate([bad for bad, _ in same]), same[0][1])
    return images.reshape(len(rows), SIDE, SIDE)


def _decode_chunk(rows: list[str]) -> tuple[np.ndarray | None, tuple[int, np.ndarray, str] | None]:
    """Decode some rows of pixel strings; return (values, None) or (None, problem).

    Rows are joined by newlines into one byte buffer. A token starts at a digit whose
    predecessor is not a digit; a token of 1-3 digits is decoded by gathering its digits at
    offsets 0, 1, 2 from its start. Newline positions tell which row each token is in.
    A problem is (rank, rows within the chunk, message), ranked in the order checked.
    """
    text = "\n".join(rows).encode("ascii", "replace")
    # One separator in front (so every token has a predecessor) and padding behind (so the
    # gathers at offsets 1-3 from a token's start stay inside the buffer).
    buf = np.frombuffer(b" " + text + b"\n\n\n\n", np.uint8)
    newlines = np.flatnonzero(buf == ord("\n"))
    if len(newlines) != len(rows) + 3:
        # More newlines than the joins and the padding: a row holds one of its own (a quoted
        # field over several lines), which would throw the row count off.
        bad = np.array([k for k, row in enumerate(rows) if "\n" in row])
        message = "pixels must be integers 0-255 separated by spaces (found '\\n')"
        return None, (0, bad, message)
    row_ends = newlines[: len(rows)]

    digit = buf - np.uint8(ord("0"))  # wraps every non-digit byte to a value >= 10
    is_digit = digit < 10
    allowed = is_digit | (buf == ord(" ")) | (buf == ord("\n")) | (buf == ord("\t"))
    if not allowed.all():
        bad_byte = np.flatnonzero(~allowed)
        example = chr(buf[bad_byte[0]])
        message = f"pixels must be integers 0-255 separated by spaces (found {example!r})"
        return None, (0, np.unique(np.searchsorted(row_ends, bad_byte)), message)

    # Token starts, each offset by -1 (the leading separator guarantees none at byte 0).
    starts = np.flatnonzero(is_digit[1:] > is_digit[:-1])
    per_row = np.diff(np.searchsorted(starts, row_ends), prepend=0)
    bad = np.flatnonzero(per_row != N_PIXELS)
    if len(bad):
        return None, (1, bad, f"pixels has {per_row[bad[0]]} values, expected {N_PIXELS}")

    d0, d1, d2, d3 = (digit[1 + k :][starts].astype(np.int16) for k in range(4))
    two = d1 < 10
    three = two & (d2 < 10)
    values = np.where(three, 100 * d0 + 10 * d1 + d2, np.where(two, 10 * d0 + d1, d0))
    too_big = (three & (d3 < 10)) | (values > 255)
    if too_big.any():
        bad = np.unique(np.searchsorted(row_ends, starts[too_big] + 1))
        return None, (2, bad, "a pixel value is above 255")
    return values.astype(np.uint8), None


def duplicate_groups(images: np.ndarray) -> np.ndarray:
    """Id of each image's group of pixel-identical images (0..G-1, first-seen order)."""
    rows = np.ascontiguousarray(images.reshape(len(images), -1))
    return first_seen_ids(rows.view(np.dtype((np.void, rows.shape[1]))).ravel())


def first_seen_ids(keys: np.ndarray) -> np.ndarray:
    """Ids 0..G-1 of equal keys, numbered in the order the keys first appear in the table
    (stable across numpy versions, unlike the sorted order np.unique gives)."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def group_counts(group: np.ndarray, faces: dict[str, np.ndarray]) -> dict[str, int]:
    """How many groups hold two or more faces, how many rows they cover, and in how many the
    faces do not all share the same (age, gender, ethnicity)."""
    sizes = np.bincount(group)
    shared = sizes[group] > 1
    label_key = faces["age"] * 100 + faces["gender"] * 10 + faces["ethnicity"]
    pairs = np.unique(np.stack([group[shared], label_key[shared]]), axis=1)
    conflicting = int((np.bincount(pairs[0]) > 1).sum()) if pairs.size else 0
    return {"groups": int((sizes > 1).sum()), "rows": int(shared.sum()), "conflicting": conflicting}


def load_faces(path, threads: int = 1, max_mb: int = MAX_TABLE_MB) -> dict[str, np.ndarray]:
    """Parse and validate the CSV (or .csv.gz) table into arrays (pixels on ``threads``),
    reading at most ``max_mb`` MB of decompressed text."""
    lines = _Lines(Path(path), max_mb=max_mb)  # a row's physical line, found only for an error
    table = _read_table(lines)
    labels = _parse_labels(lines, table)
    _check_names(lines, table["img_name"])
    images = parse_pixels(lines, table["pixels"], threads)
    return {
        "images": images,
        **labels,
        "img_name": table["img_name"].to_numpy(dtype=str),
        "group": duplicate_groups(images),
    }


def quality_report(faces: dict[str, np.ndarray]) -> dict:
    """Row and label counts, and what the duplicate groups look like."""
    copies = group_counts(faces["group"], faces)
    age = faces["age"]
    return {
        "rows": int(len(age)),
        "gender": dict(zip(GENDER_KEYS, np.bincount(faces["gender"], minlength=2).tolist())),
        "ethnicity": dict(
            zip(ETHNICITY_KEYS, np.bincount(faces["ethnicity"], minlength=5).tolist())
        ),
        "age_median": float(np.median(age)),
        "age_min": int(age.min()),
        "age_max": int(age.max()),
        "old_age": OLD_AGE,
        "age_over_old": int((age > OLD_AGE).sum()),
        "side": SIDE,
        "pixels": N_PIXELS,
        "max_grey": 255,
        "duplicate_groups": copies["groups"],
        "duplicate_rows": copies["rows"],
        "conflicting_groups": copies["conflicting"],
    }


def check_every_class_in_every_part(faces: dict, parts: dict[str, np.ndarray]) -> None:
    """Raise a DataError naming each gender or ethnicity that some part of the split has no
    face of (its recall there would be undefined), with the class's count in every part."""
    missing = []
    for task, names in (("gender", GENDER_NAMES), ("ethnicity", ETHNICITY_NAMES)):
        counts = {p: np.bincount(faces[task][i], minlength=len(names)) for p, i in parts.items()}
        for k, name in enumerate(names):
            if min(c[k] for c in counts.values()) == 0:
                shown = ", ".join(f"{p} {c[k]}" for p, c in counts.items())
                missing.append(f"{task} {k} ({name}): {shown}")
    if missing:
        raise DataError(
            "the split leaves a part without any face of "
            + "; ".join(missing)
            + "; the table has too few faces of that class (or they share too few duplicate"
            " groups) for split.fractions"
        )


def split_indices(group: np.ndarray, fractions, seed: int) -> dict[str, np.ndarray]:
    """Seeded train/val/test split that keeps every duplicate group inside one part.

    Groups are shuffled, then cut where the running row count passes each fraction, so part
    sizes match the fractions to within one group's size. ``fractions`` are three positive
    numbers that sum to 1 (within FRACTION_TOLERANCE). A DataError is raised if a part would
    get fewer than MIN_PART_FACES faces: training would otherwise fail later, dividing by
    the size of an empty validation or test set.
    """
    try:
        fractions = np.asarray(fractions, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"need three positive split fractions, got {fractions!r}") from None
    if fractions.shape != (len(SPLIT_NAMES),) or not (fractions > 0).all():
        raise DataError(f"need three positive split fractions, got {fractions.tolist()}")
    total = fractions.sum()
    if not abs(total - 1) <= FRACTION_TOLERANCE:
        raise DataError(
            f"split fractions {fractions.tolist()} sum to {total:.10g}; they must sum to 1"
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(group.max() + 1 if len(group) else 0)
    sizes = np.bincount(group, minlength=len(order))[order]
    # Divide by the sum even though it is 1 within the tolerance: [0.7, 0.2, 0.1] sums to
    # 0.9999999999999999 in floating point, and the cut points (hence the parts) of the
    # existing splits were computed from the divided fractions.
    cut = np.cumsum(fractions / total)[:-1] * len(group)
    part_of_group = np.empty(len(order), dtype=np.int64)
    part_of_group[order] = np.searchsorted(cut, np.cumsum(sizes) - sizes / 2)
    part = part_of_group[group]
    parts = {name: np.flatnonzero(part == k) for k, name in enumerate(SPLIT_NAMES)}
    counts = {name: len(index) for name, index in parts.items()}
    if min(counts.values()) < MIN_PART_FACES:
        shown = ", ".join(f"{name} {n}" for name, n in counts.items())
        n_groups = len(np.unique(group))
        raise DataError(
            f"split fractions {fractions.tolist()} give {shown} of the {len(group)} faces "
            f"({n_groups} groups of pixel-identical faces, each kept in one part); each part "
            f"needs at least {MIN_PART_FACES} face(s): too few rows or duplicate groups for these "
            "fractions"
        )
    return parts
