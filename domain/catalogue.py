"""The product catalogue: marketed opioid and co-medication products as curated, checked data.

The shipped catalogue is ``data/products.csv`` plus its metadata ``data/products.toml`` (date,
sources, caveat). One CSV row is one product; its strengths are the amounts of the product's
one *counted* ingredient (``substance``) per unit, so a combination product counts only its
opioid (Targin 10/5 is oxycodone 10 mg). Route and unit values are plain strings equal to the
OMEQ core's ``Route`` and ``DoseUnit`` values; this module does not import ``domain.omeq``.

The same parser reads the shipped file and an administrator's upload, all or nothing. Besides
the required ``COLUMNS``, a file may have the provenance columns ``PROVENANCE_COLUMNS``; the
shipped file must fill them for every row:

- ``source``: what the row was compiled from (a named public listing, e.g. a pro.medicin.dk
  product page or an indlaegssedler.dk leaflet), ``checked_on``: the date it was compiled;
- ``needs_pharmacist_check``: ``true`` where the strengths or Danish marketing were not seen on
  a named Danish source (every row still needs a pharmacist's sign-off: see the caveat);
- ``not_convertible_reason``: why no published conversion factor exists for the product's
  route (a parenteral or rectal form, say). Convertibility itself is the region's conversion
  table's answer: where a table has a factor, the product converts; the reason is what a
  clinician reads where none has.
"""

import csv
import functools
import io
import re
import tomllib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from domain.errors import DomainError

DATA_DIR = Path(__file__).parent / "data"

ROUTES = ("oral", "transdermal", "sublingual", "buccal", "nasal", "rectal", "parenteral")
UNITS = ("mg", "mcg", "mcg/h", "mg/ml")  # per tablet/capsule/suppository/spray, per patch, per ml
COLUMNS = (
    "id", "name", "brands", "atc", "category", "form", "route", "release", "unit", "strengths",
    "strength_labels", "substance", "other_ingredients", "splittable", "patch_change_hours",
    "is_substitution", "note",
)  # fmt: skip
PROVENANCE_COLUMNS = ("source", "checked_on", "needs_pharmacist_check", "not_convertible_reason")
LIST_SEPARATOR = "|"  # inside a cell; never the CSV delimiter, so Danish ';' files still parse
MAX_ROWS = 5000


class CatalogueError(DomainError):
    code = "catalogue_error"

    def __init__(
        self, message: str, *, code: str | None = None, errors: tuple["RowError", ...] = ()
    ) -> None:
        super().__init__(message, code=code)
        self.errors = errors


class Category(StrEnum):
    OPIOID = "opioid"
    BENZODIAZEPINE = "benzodiazepine"
    Z_DRUG = "z_drug"
    GABAPENTINOID = "gabapentinoid"


class Form(StrEnum):
    TABLET = "tablet"
    DEPOT_TABLET = "depot_tablet"
    CAPSULE = "capsule"
    DEPOT_CAPSULE = "depot_capsule"
    ORAL_SOLUTION = "oral_solution"
    DROPS = "drops"
    PATCH = "patch"
    SUPPOSITORY = "suppository"
    INJECTION = "injection"
    SUBLINGUAL_TABLET = "sublingual_tablet"
    BUCCAL_TABLET = "buccal_tablet"
    FILM = "film"
    NASAL_SPRAY = "nasal_spray"


class Release(StrEnum):
    IMMEDIATE = "immediate"
    MODIFIED = "modified"


@dataclass(frozen=True)
class _FormRule:
    routes: frozenset[str]
    units: frozenset[str]
    release: Release


_SOLID = frozenset({"mg", "mcg"})
_LIQUID = frozenset({"mg/ml"})
_ORAL = frozenset({"oral"})
_I, _M = Release.IMMEDIATE, Release.MODIFIED
FORM_RULES: dict[Form, _FormRule] = {
    Form.TABLET: _FormRule(_ORAL, _SOLID, _I),
    Form.DEPOT_TABLET: _FormRule(_ORAL, _SOLID, _M),
    Form.CAPSULE: _FormRule(_ORAL, _SOLID, _I),
    Form.DEPOT_CAPSULE: _FormRule(_ORAL, _SOLID, _M),
    Form.ORAL_SOLUTION: _FormRule(_ORAL, _LIQUID, _I),
    Form.DROPS: _FormRule(_ORAL, _LIQUID, _I),
    Form.PATCH: _FormRule(frozenset({"transdermal"}), frozenset({"mcg/h"}), _M),
    Form.SUPPOSITORY: _FormRule(frozenset({"rectal"}), _SOLID, _I),
    Form.INJECTION: _FormRule(frozenset({"parenteral"}), _LIQUID, _I),
    Form.SUBLINGUAL_TABLET: _FormRule(frozenset({"sublingual"}), _SOLID, _I),
    Form.BUCCAL_TABLET: _FormRule(frozenset({"buccal"}), _SOLID, _I),
    Form.FILM: _FormRule(frozenset({"sublingual", "buccal"}), _SOLID, _I),
    Form.NASAL_SPRAY: _FormRule(frozenset({"nasal"}), _SOLID, _I),  # amount per spray
}
SPLITTABLE_FORMS = frozenset({Form.TABLET, Form.DEPOT_TABLET})
# Opioids are N02A, N07B (opioid dependence) or R05DA (opium alkaloids classed as cough drugs).
OPIOID_ATC_PREFIXES = ("N02A", "N07B", "R05DA")
SUBSTITUTION_ATC_PREFIX = "N07BC"

_ATC = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}(?:[0-9]{2})?")  # 4th or 5th ATC level
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SUBSTANCE = re.compile(r"[a-z]+(?:[ -][a-z]+)*")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class Strength:
    amount: Decimal  # of the product's counted substance, per unit, in the product's unit
    label: str  # as on the pack, e.g. "10/5" for Targin 10 mg/5 mg


@dataclass(frozen=True)
class IngredientDose:
    """What units of a product deliver of its counted substance, in OMEQ-core terms."""

    substance: str
    amount: Decimal
    unit: str  # "mg", "mcg" or "mcg/h"
    route: str


@dataclass(frozen=True)
class Product:
    id: str
    name: str  # Danish display name
    brands: tuple[str, ...]
    atc: str
    category: Category
    form: Form
    route: str  # one of ROUTES
    release: Release
    unit: str  # one of UNITS
    strengths: tuple[Strength, ...]  # ascending, at least one
    substance: str  # the counted ingredient (INN, English, lower case)
    other_ingredients: tuple[str, ...]  # present but never counted (naloxone, paracetamol...)
    splittable: bool  # a tablet scored to divide the dose; False when not confirmed
    patch_change_hours: int | None
    is_substitution: bool  # opioid-use-disorder product: reported, never counted in OMEQ
    note: str = ""
    source: str = ""  # what the row was compiled from
    checked_on: date | None = None  # when
    needs_pharmacist_check: bool = True
    not_convertible_reason: str = ""  # no published factor for its route, and why

    @property
    def is_opioid(self) -> bool:
        return self.category is Category.OPIOID

    @property
    def is_measured_in_ml(self) -> bool:
        return self.unit == "mg/ml"

    @property
    def dose_unit(self) -> str:
        return "mg" if self.unit == "mg/ml" else self.unit

    @property
    def smallest_strength(self) -> Strength:
        return self.strengths[0]

    def strength(self, amount: Decimal) -> Strength:
        for strength in self.strengths:
            if strength.amount == amount:
                return strength
        marketed = ", ".join(s.label for s in self.strengths)
        raise CatalogueError(
            f"{self.name} is not marketed as {amount} {self.unit} (marketed: {marketed}).",
            code="strength_not_marketed",
        )

    def dose(self, strength: Decimal, units: Decimal) -> IngredientDose:
        """The counted substance in ``units`` of a strength: tablets, patches... or ml."""
        chosen = self.strength(strength)
        if units <= 0:
            raise CatalogueError("The number of units must be positive.", code="units_not_positive")
        is_whole = units % 1 == 0 or (self.splittable and (units * 2) % 1 == 0)
        if not (self.is_measured_in_ml or is_whole):
            raise CatalogueError(
                f"{self.name} cannot be taken as {units} units; "
                + ("only halves are possible." if self.splittable else "it is not split."),
                code="units_not_whole",
            )
        return IngredientDose(self.substance, chosen.amount * units, self.dose_unit, self.route)


@dataclass(frozen=True)
class CatalogueInfo:
    id: str
    version: str
    date: date
    sources: tuple[str, ...]
    caveat: str


@dataclass(frozen=True)
class Catalogue:
    info: CatalogueInfo
    products: tuple[Product, ...]
    _by_id: dict[str, Product] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Product] = {}
        for product in self.products:
            if product.id in by_id:
                raise CatalogueError(f"Duplicate product id {product.id!r}.", code="duplicate_id")
            by_id[product.id] = product
        object.__setattr__(self, "_by_id", by_id)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def with_products(self, extra: Iterable[Product]) -> "Catalogue":
        """The shipped catalogue plus an administrator's products (ids must be new)."""
        return Catalogue(self.info, self.products + tuple(extra))

    def by_id(self, product_id: str) -> Product:
        try:
            return self._by_id[product_id]
        except KeyError:
            raise CatalogueError(
                f"No product {product_id!r} in the catalogue.", code="unknown_product"
            ) from None

    def by_atc_prefix(self, prefix: str) -> tuple[Product, ...]:
        wanted = prefix.strip().upper()
        if not wanted:
            raise CatalogueError("An ATC prefix is needed.", code="empty_atc_prefix")
        return tuple(p for p in self.products if p.atc.startswith(wanted))

    def opioids(self) -> tuple[Product, ...]:
        return tuple(p for p in self.products if p.is_opioid)

    def co_medications(self) -> tuple[Product, ...]:
        """Benzodiazepines, z-drugs, gabapentinoids. Warn by category: clonazepam is N03AE01."""
        return tuple(p for p in self.products if not p.is_opioid)

    def search(self, text: str) -> tuple[Product, ...]:
        """Products whose id, name, brands, substance or ATC contain every word (any case)."""
        words = text.casefold().split()
        found = [p for p in self.products if all(w in _haystack(p) for w in words)]
        order = list(Category)
        return tuple(sorted(found, key=lambda p: (order.index(p.category), p.name, p.id)))


def _haystack(product: Product) -> str:
    words = (product.id, product.name, *product.brands, product.substance, product.atc)
    return " ".join(words).casefold()


@dataclass(frozen=True)
class RowError:
    line: int  # line in the file; the header is line 1
    product_id: str  # as written, possibly empty
    problems: tuple[str, ...]

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.product_id})" if self.product_id else "")
        return f"{where}: " + "; ".join(self.problems)


@dataclass(frozen=True)
class ImportResult:
    products: tuple[Product, ...]  # empty whenever there are errors: all or nothing
    errors: tuple[RowError, ...]

    @property
    def is_valid(self) -> bool:
        return not self.errors


def parse_products_csv(text: str, *, existing_ids: Collection[str] = ()) -> ImportResult:
    """Read a products CSV (``,`` or ``;`` delimited, columns COLUMNS); report every bad row."""
    text = text.removeprefix("\ufeff")  # Excel's UTF-8 byte order mark
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = [(reader.line_num, cells) for cells in reader if cells]
    except csv.Error as exc:
        return ImportResult((), (RowError(reader.line_num, "", (f"unreadable CSV: {exc}",)),))
    if not rows:
        return ImportResult((), (RowError(1, "", ("the file is empty",)),))
    header = [cell.strip() for cell in rows[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS + PROVENANCE_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        problems = [f"missing column {c!r}" for c in missing]
        problems += [f"unknown column {c!r}" for c in unknown]
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        return ImportResult((), (RowError(rows[0][0], "", tuple(problems)),))
    if len(rows) - 1 > MAX_ROWS:
        return ImportResult((), (RowError(1, "", (f"more than {MAX_ROWS} products",)),))
    products: list[Product] = []
    errors: list[RowError] = []
    seen: set[str] = set(existing_ids)
    for line, cells in rows[1:]:
        raw = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        reader_row = _Row(raw)
        if len(cells) != len(header):
            reader_row.problems.append(f"expected {len(header)} cells, found {len(cells)}")
            product = None
        else:
            product = reader_row.product()
        if product is not None and product.id in seen:
            reader_row.problems.append(f"product id {product.id!r} is already in use")
        if reader_row.problems or product is None:
            errors.append(RowError(line, raw.get("id", ""), tuple(reader_row.problems)))
        else:
            seen.add(product.id)
            products.append(product)
    if errors:
        return ImportResult((), tuple(errors))
    return ImportResult(tuple(products), ())


class _Row:
    """One CSV row being checked; every problem is collected, none stops the others."""

    def __init__(self, raw: dict[str, str]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def product(self) -> Product | None:
        p = self.problems
        pid, name, note = self._text("id"), self._text("name"), self.raw["note"]
        if pid and not (_SLUG.fullmatch(pid) and len(pid) <= 64):
            p.append(f"id {pid!r} must be lower-case letters, digits and hyphens (max 64)")
        if len(name) > 120 or _CONTROL.search(name + note) or len(note) > 1000:
            p.append("name (max 120) and note (max 1000) must be plain one-line text")
        atc = self._text("atc").upper()
        if atc and not _ATC.fullmatch(atc):
            p.append(f"ATC code {atc!r} is not of the form N02AA01 or N02AA")
        category = self._choice("category", Category)
        form = self._choice("form", Form)
        release = self._choice("release", Release)
        route, unit = self._text("route"), self._text("unit")
        if route and route not in ROUTES:
            p.append(f"unknown route {route!r} (allowed: {', '.join(ROUTES)})")
        if unit and unit not in UNITS:
            p.append(f"unknown unit {unit!r} (allowed: {', '.join(UNITS)})")
        substance = self._text("substance")
        others = self._list("other_ingredients")
        for name_ in (substance, *others):
            if name_ and not _SUBSTANCE.fullmatch(name_):
                p.append(f"substance {name_!r} must be a lower-case English name")
        strengths = self._strengths()
        splittable = self._bool("splittable")
        is_substitution = self._bool("is_substitution")
        hours = self._hours()
        if form is not None:
            rule = FORM_RULES[form]
            if route in ROUTES and route not in rule.routes:
                p.append(f"a {form} is not given by the {route} route")
            if unit in UNITS and unit not in rule.units:
                p.append(f"a {form} is not measured in {unit}")
            if release is not None and release is not rule.release:
                p.append(f"a {form} has {rule.release} release, not {release}")
            if splittable and form not in SPLITTABLE_FORMS:
                p.append(f"a {form} cannot be split")
            if (form is Form.PATCH) != (hours is not None):
                p.append("patch_change_hours is required for a patch and only for a patch")
        if category is Category.OPIOID and atc and not atc.startswith(OPIOID_ATC_PREFIXES):
            p.append(f"an opioid's ATC code starts with {', '.join(OPIOID_ATC_PREFIXES)}")
        if is_substitution and not (
            category is Category.OPIOID and atc.startswith(SUBSTITUTION_ATC_PREFIX)
        ):
            p.append(f"a substitution product is an opioid with ATC {SUBSTITUTION_ATC_PREFIX}..")
        source, checked_on, needs_check, reason = self._provenance()
        if p or category is None or form is None or release is None:
            return None
        return Product(
            id=pid, name=name, brands=self._list("brands"), atc=atc, category=category,
            form=form, route=route, release=release, unit=unit, strengths=strengths,
            substance=substance, other_ingredients=others, splittable=splittable,
            patch_change_hours=hours, is_substitution=is_substitution, note=note,
            source=source, checked_on=checked_on, needs_pharmacist_check=needs_check,
            not_convertible_reason=reason,
        )  # fmt: skip

    def _provenance(self) -> tuple[str, date | None, bool, str]:
        source = self.raw.get("source", "")
        reason = self.raw.get("not_convertible_reason", "")
        if len(source) > 1000 or len(reason) > 1000 or _CONTROL.search(source + reason):
            self.problems.append("source and not_convertible_reason must be one-line text")
        checked_text = self.raw.get("checked_on", "")
        checked_on = None
        if checked_text:
            try:
                checked_on = date.fromisoformat(checked_text)
            except ValueError:
                self.problems.append(f"checked_on {checked_text!r} must be a date (2026-12-06)")
        needs = self.raw.get("needs_pharmacist_check", "true").lower() or "true"
        if needs not in ("true", "false"):
            self.problems.append("needs_pharmacist_check must be true or false")
        return source, checked_on, needs == "true", reason

    def _text(self, column: str) -> str:
        value = self.raw[column]
        if not value:
            self.problems.append(f"{column} is required")
        return value

    def _list(self, column: str) -> tuple[str, ...]:
        value = self.raw[column]
        items = tuple(item.strip() for item in value.split(LIST_SEPARATOR)) if value else ()
        if any(not item or _CONTROL.search(item) for item in items):
            self.problems.append(f"{column} has an empty or unprintable item")
        return items

    def _choice(self, column: str, enum: type[_E]) -> _E | None:
        value = self._text(column)
        try:
            return enum(value)
        except ValueError:
            if value:
                allowed = ", ".join(member.value for member in enum)
                self.problems.append(f"unknown {column} {value!r} (allowed: {allowed})")
            return None

    def _bool(self, column: str) -> bool:
        value = self.raw[column].lower()
        if value not in ("true", "false"):
            self.problems.append(f"{column} must be true or false, not {self.raw[column]!r}")
        return value == "true"

    def _hours(self) -> int | None:
        value = self.raw["patch_change_hours"]
        if not value:
            return None
        if not value.isdigit() or not 1 <= int(value) <= 336:
            self.problems.append(f"patch_change_hours {value!r} must be whole hours, 1 to 336")
            return None
        return int(value)

    def _strengths(self) -> tuple[Strength, ...]:
        texts = self._list("strengths")
        labels = self._list("strength_labels") or texts
        amounts: list[Decimal] = []
        for text in texts:
            if not _DECIMAL.fullmatch(text) or Decimal(text) == 0:
                self.problems.append(
                    f"strength {text!r} must be a positive number with a point (52.5, not 52,5)"
                )
            else:
                amounts.append(Decimal(text))
        if not texts:
            self.problems.append("strengths is required")
        if len(labels) != len(texts):
            self.problems.append("strength_labels must have one label per strength")
        if len(set(amounts)) != len(amounts):
            self.problems.append("a strength is listed twice")
        if len(amounts) != len(texts) or len(labels) != len(texts):
            return ()
        pairs = sorted(zip(amounts, labels, strict=False), key=lambda pair: pair[0])
        return tuple(Strength(amount, label) for amount, label in pairs)


def write_products_csv(products: Iterable[Product]) -> str:
    """The CSV that ``parse_products_csv`` reads back to the same products."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + PROVENANCE_COLUMNS)
    for p in products:
        writer.writerow((
            p.id, p.name, LIST_SEPARATOR.join(p.brands), p.atc, p.category, p.form, p.route,
            p.release, p.unit, LIST_SEPARATOR.join(format(s.amount, "f") for s in p.strengths),
            LIST_SEPARATOR.join(s.label for s in p.strengths), p.substance,
            LIST_SEPARATOR.join(p.other_ingredients), str(p.splittable).lower(),
            "" if p.patch_change_hours is None else str(p.patch_change_hours),
            str(p.is_substitution).lower(), p.note, p.source,
            "" if p.checked_on is None else p.checked_on.isoformat(),
            str(p.needs_pharmacist_check).lower(), p.not_convertible_reason,
        ))  # fmt: skip
    return out.getvalue()


def load_catalogue(
    csv_path: Path = DATA_DIR / "products.csv", meta_path: Path = DATA_DIR / "products.toml"
) -> Catalogue:
    """Read and check the curated catalogue; any bad row stops the load, naming every one."""
    result = parse_products_csv(csv_path.read_text(encoding="utf-8"))
    if result.is_valid:
        unsourced = [
            RowError(line, p.id, ("source and checked_on are required in the shipped catalogue",))
            for line, p in enumerate(result.products, start=2)
            if not p.source or p.checked_on is None
        ]
        if unsourced:
            result = ImportResult((), tuple(unsourced))
    if not result.is_valid:
        listing = "\n".join(str(error) for error in result.errors)
        raise CatalogueError(
            f"{csv_path.name} has bad rows:\n{listing}", code="catalogue_invalid",
            errors=result.errors,
        )  # fmt: skip
    return Catalogue(_read_info(meta_path), result.products)


@functools.cache
def shipped_catalogue() -> Catalogue:
    """The catalogue shipped in ``domain/data``, read once per process."""
    return load_catalogue()


def _read_info(path: Path) -> CatalogueInfo:
    with path.open("rb") as handle:
        meta = tomllib.load(handle)
    sources = meta.get("sources")
    checks = {
        "id": isinstance(meta.get("id"), str),
        "version": isinstance(meta.get("version"), str),
        "date": type(meta.get("date")) is date,
        "caveat": isinstance(meta.get("caveat"), str) and bool(meta["caveat"].strip()),
        "sources": isinstance(sources, list) and bool(sources)
        and all(isinstance(s, str) for s in sources),
    }  # fmt: skip
    bad = [key for key, ok in checks.items() if not ok]
    if bad:
        raise CatalogueError(
            f"{path.name}: missing or malformed {', '.join(bad)}", code="catalogue_invalid"
        )
    return CatalogueInfo(
        meta["id"], meta["version"], meta["date"], tuple(sources or ()), meta["caveat"].strip()
    )
