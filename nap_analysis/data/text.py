"""Text as a person means it: one Unicode form, no control characters, no spreadsheet errors,
and ids that are different only when they look different.

* Every text is kept in Unicode NFC: 'café' typed with a combining accent (NFD, as macOS and
  some web forms write it) is the same text as 'café' typed with 'é'.
* The vertical tab that Word puts in a cell for Shift+Enter becomes a line break; every other
  control character (form feed, escape, the C1 range ...) is refused with its name: it cannot
  be seen, and the XML of a Word document or a workbook cannot hold it.
* A spreadsheet error value (``#N/A``, ``#REF!``, ``#WAARDE!`` ...) is no text: the cell is
  refused. Words such as ``Nan``, ``NONE`` or ``null`` are text (a surname, a party).
* Two ids that differ only in case, width (``Ａ05``) or letters of another script that look the
  same (a Cyrillic ``А`` in ``А05``) are one id written twice: refused, both cells named.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

import numpy as np
import pandas as pd

#: Word's line break inside a paragraph (Shift+Enter), pasted into a cell.
VERTICAL_TAB = "\x0b"
#: Control characters no text of ours holds (tab, line feed and carriage return are text).
CONTROL = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}
#: Error values of Excel and LibreOffice, in English and Dutch, as a cell shows them.
ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#N/B",
        "#VERW!",
        "#WAARDE!",
        "#DEEL/0!",
        "#NAAM?",
        "#LEEG!",
        "#GETAL!",
        "#OVERLOOP!",
        "ERR:502",
        "ERR:504",
        "ERR:508",
        "ERR:511",
        "ERR:522",
        "ERR:523",
    }
)

#: Letters of Cyrillic and Greek that look like a Latin letter (upper and lower case).
_LOOK_ALIKES = dict(
    zip(
        "АВЕКМНОРСТХУІЈЅаеорсухіјѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
        "ABEKMHOPCTXYIJSaeopcyxijsdqwABEZHIKMNOPTYXoiv",
    )
)
_SKELETON = {ord(k.casefold()): v.casefold() for k, v in _LOOK_ALIKES.items()}


def character_name(char: str) -> str:
    """'U+000C FORM FEED': the code and, where there is one, the character's name."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" {name}" if name else "")


def identity(value: str) -> str:
    """The form two ids are compared in: compatibility-normalised (width), case-folded, and
    letters of other scripts that look Latin replaced by the Latin letter."""
    return unicodedata.normalize("NFKC", value).casefold().translate(_SKELETON)


def scripts(value: str) -> set[str]:
    """The scripts of the letters of ``value`` among Latin, Cyrillic and Greek."""
    found = set()
    for char in value:
        if char.isalpha():
            name = unicodedata.name(char, "")
            for script in ("LATIN", "CYRILLIC", "GREEK"):
                if name.startswith(script):
                    found.add(script)
    return found


_ERROR_LINE = re.compile(
    "^[ \t]*(?:" + "|".join(re.escape(e) for e in sorted(ERROR_VALUES)) + ")[ \t]*$", re.IGNORECASE | re.MULTILINE
)


def plain(values: pd.Series) -> bool:
    """Whether none of the texts needs a rule of this module: ASCII without control characters,
    vertical tab or error value. Checked on all texts joined, so that a clean column of 10^6
    distinct texts costs one scan instead of a Python call per text."""
    joined = "\n".join(values.dropna().astype(str).tolist())
    if not joined.isascii() or VERTICAL_TAB in joined or CONTROL.search(joined):
        return False
    # every error value starts with '#' or 'err:' (ERROR_VALUES): two substring scans spare the
    # line-by-line pattern (0.2 s on 10^6 distinct ids) for the texts that hold neither
    return not (("#" in joined or "err:" in joined.lower()) and _ERROR_LINE.search(joined))


def normalised(values: pd.Series) -> pd.Series:
    """Distinct texts in NFC with the vertical tab as a line break (only non-ASCII texts and
    texts with a vertical tab are touched: an annex of 10^6 ASCII cells costs one scan)."""
    text = values.astype(object)
    touched = ~text.map(lambda t: isinstance(t, str) and t.isascii() and VERTICAL_TAB not in t, na_action="ignore")
    touched = touched.fillna(False).astype(bool)
    if not touched.any():
        return values
    changed = text[touched].map(lambda t: unicodedata.normalize("NFC", str(t)).replace(VERTICAL_TAB, "\n"))
    return text.where(~touched, changed)


def control_characters(values: pd.Series) -> pd.Series:
    """The first control character of each text, or None."""
    found = values.astype(str).str.extract(f"({CONTROL.pattern})", expand=False)
    return found.astype(object).where(found.notna(), None)


def error_values(values: pd.Series) -> pd.Series:
    """Whether each text is a spreadsheet error value (what a cell shows when a formula fails)."""
    text = values.astype(str).str.strip()
    candidates = text.str.startswith(("#", "Err:", "ERR:"))
    return candidates & text.str.upper().isin(ERROR_VALUES)


def near_duplicates(values: pd.Series) -> list[tuple[int, int]]:
    """Pairs (i, j) of positions of distinct (stripped) texts that are one id written two ways."""
    text = values.astype(str)
    keys = text.str.lower()
    # joined from the object array: iterating the string Series boxes every text (0.2 s for 10^5 ids)
    if not "".join(text.to_numpy(dtype=object)).isascii():
        ascii_only = text.map(str.isascii).to_numpy(dtype=bool)
        keys = keys.to_numpy(dtype=object)
        keys[~ascii_only] = [identity(t) for t in text[~ascii_only]]
    codes, _ = pd.factorize(keys)
    repeated = np.flatnonzero(pd.Series(codes).duplicated(keep=False).to_numpy())
    first: dict[int, int] = {}
    pairs = []
    texts = text.to_numpy(dtype=object)
    for position in repeated:
        earlier = first.setdefault(int(codes[position]), int(position))
        if earlier != position and texts[earlier] != texts[position]:
            pairs.append((earlier, int(position)))
    return pairs


def difference(value: str, other: str) -> str:
    """The characters in which two spellings of one id differ, each with its code and name:
    "'А' U+0410 CYRILLIC CAPITAL LETTER A / 'A' U+0041 LATIN CAPITAL LETTER A"."""
    a, b = unicodedata.normalize("NFC", value), unicodedata.normalize("NFC", other)
    if len(a) != len(b):
        return f"{len(a)} / {len(b)}"
    parts = [f"'{x}' {character_name(x)} / '{y}' {character_name(y)}" for x, y in zip(a, b) if x != y]
    return "; ".join(parts[:3])


#: Letters and marks of Dutch (and its loan words) beyond ASCII: what a plausible reading yields.
_PLAUSIBLE = frozenset("éëèêïîüöôóòáàâäçñúûÉËÈÊÏÜÖÓÁÀÇ‘’“”–—€°«»§½")
#: Single-byte encodings whose files Windows-1252 would decode without an error, into nonsense.
_OTHER_SINGLE_BYTE = (("mac", "mac_roman"), ("dos", "cp850"))


def likelier_single_byte(data: bytes) -> tuple[str, int, str] | None:
    """('mac' or 'dos', offset, the word as that encoding reads it) when a file that decodes as
    Windows-1252 reads as more plausible Dutch in Mac Roman or MS-DOS (cp850): 'cafŽ ŽŽn' in
    Windows-1252 is 'café één' in Mac Roman. None when Windows-1252 is the likeliest."""
    high = [m.start() for m in itertools.islice(re.finditer(rb"[\x80-\xff]", data), 10_000)]  # a sample is enough
    if not high:
        return None

    def plausible(i: int, encoding: str) -> bool:
        character = bytes([data[i]]).decode(encoding, errors="replace")
        after_small_letter = i > 0 and 0x61 <= data[i - 1] <= 0x7A
        return character in _PLAUSIBLE and not (character.isupper() and after_small_letter)  # 'cafÇ' is no word

    def score(encoding: str) -> int:
        return sum(1 for i in high if plausible(i, encoding))

    windows = score("cp1252")
    best = max(_OTHER_SINGLE_BYTE, key=lambda pair: score(pair[1]))
    if score(best[1]) <= windows:
        return None
    for offset in high:  # the first byte the two readings see differently, in its word
        if plausible(offset, best[1]) and not plausible(offset, "cp1252"):
            start = max(data.rfind(b" ", 0, offset), data.rfind(b";", 0, offset), data.rfind(b",", 0, offset)) + 1
            ends = [e for e in (data.find(b" ", offset), data.find(b";", offset), data.find(b"\n", offset)) if e >= 0]
            word = data[start : min(ends, default=len(data))][:40]
            return best[0], offset, f"{word.decode('cp1252', errors='replace')} / {word.decode(best[1])}"
    return None
