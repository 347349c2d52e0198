"""Checking the audit log: every row's MAC, every seal against the rows it covers, the seal
chain, and every anchor. What ``manage.py verify_audit_log`` reports."""

from dataclasses import dataclass, field
from pathlib import Path

from smertespor.audit.anchors import Anchor, read_anchors
from smertespor.audit.keys import UnknownKey, mac_matches
from smertespor.audit.models import AuditEvent, AuditSeal
from smertespor.audit.sealing import GENESIS_MAC, rows_digest, seal_payload, skipped_numbers
from smertespor.audit.services import row_payload


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    seals: int = 0
    anchors: int = 0


def _row_problem(event: AuditEvent) -> str | None:
    try:
        if mac_matches(event.key_id, row_payload(event), event.row_mac):
            return None
    except UnknownKey:
        return f"row #{event.sequence}: signed with an unknown key {event.key_id!r}"
    return f"row #{event.sequence}: content does not match its MAC (row altered)"


def _check_rows(report: Report, events: list[AuditEvent]) -> None:
    report.rows += len(events)
    report.problems += [p for p in map(_row_problem, events) if p is not None]


def _check_seal(report: Report, seal: AuditSeal, previous: AuditSeal | None) -> None:
    name = f"seal of rows #{seal.first_sequence}-#{seal.last_sequence}"
    try:
        if not mac_matches(seal.key_id, seal_payload(seal), seal.seal_mac):
            report.problems.append(f"{name}: does not match its MAC (seal altered)")
    except UnknownKey:
        report.problems.append(f"{name}: signed with an unknown key {seal.key_id!r}")
    expected_first = previous.last_sequence + 1 if previous else 1
    expected_previous = previous.seal_mac if previous else GENESIS_MAC
    if seal.first_sequence != expected_first or seal.previous_mac != expected_previous:
        report.problems.append(
            f"{name}: does not follow the seal before it (seal chain broken; expected it "
            f"to start at #{expected_first})"
        )
    events = list(
        AuditEvent.objects.filter(
            sequence__gte=seal.first_sequence, sequence__lte=seal.last_sequence
        ).order_by("sequence")
    )
    _check_rows(report, events)
    present = {event.sequence for event in events}
    skipped = skipped_numbers(seal)
    expected = set(range(seal.first_sequence, seal.last_sequence + 1)) - skipped
    for sequence in sorted(expected - present):
        report.problems.append(f"row #{sequence}: missing (removed after it was sealed)")
    for sequence in sorted(present & skipped):
        report.problems.append(
            f"row #{sequence}: appeared after rows #{seal.first_sequence}-"
            f"#{seal.last_sequence} were sealed without it (row inserted later)"
        )
    covered = [(e.sequence, e.row_mac) for e in events if e.sequence not in skipped]
    if present == expected and (
        len(covered) != seal.row_count or rows_digest(covered) != seal.digest
    ):
        report.problems.append(f"{name}: the rows differ from what was sealed")


def _check_anchor(report: Report, anchor: Anchor, seals: dict[int, str]) -> None:
    report.anchors += 1
    sealed_mac = seals.get(anchor.last_sequence)
    if sealed_mac is None:
        report.problems.append(
            f"anchor line {anchor.line} ({anchor.anchored_at}): the seal of rows up to "
            f"#{anchor.last_sequence} is missing (the log was cut back after it was anchored)"
        )
    elif sealed_mac != anchor.seal_mac:
        report.problems.append(
            f"anchor line {anchor.line} ({anchor.anchored_at}): the seal of rows up to "
            f"#{anchor.last_sequence} differs from the one anchored (seals rewritten)"
        )


def verify_audit_log(anchor_file: str = "") -> Report:
    report = Report()
    previous: AuditSeal | None = None
    seal_macs: dict[int, str] = {}
    for seal in AuditSeal.objects.order_by("first_sequence", "pk").iterator(chunk_size=500):
        _check_seal(report, seal, previous)
        seal_macs[seal.last_sequence] = seal.seal_mac
        previous = seal
        report.seals += 1
    sealed_up_to = previous.last_sequence if previous else 0
    unsealed = AuditEvent.objects.filter(sequence__gt=sealed_up_to).order_by("sequence")
    first = last = count = 0
    for event in unsealed.iterator(chunk_size=2000):
        _check_rows(report, [event])
        first, last, count = first or event.sequence, event.sequence, count + 1
    if count:
        report.notes.append(
            f"{count} row(s) after #{sealed_up_to} not sealed yet (#{first}-#{last}): "
            "run seal_audit_log."
        )
    if not anchor_file:
        report.notes.append("No anchor file configured (AUDIT_ANCHOR_FILE): tail cuts not checked.")
    elif not Path(anchor_file).exists():
        report.notes.append(f"No anchors yet: {anchor_file} does not exist.")
    else:
        for anchor in read_anchors(anchor_file):
            if isinstance(anchor, str):
                report.problems.append(anchor)
            else:
                _check_anchor(report, anchor, seal_macs)
    return report
