"""OMEQ warnings: dose thresholds, several opioids, short-acting, methadone, co-medication."""

from decimal import Decimal

import pytest

from domain.omeq import (
    CoMedicationError,
    DoseUnit,
    Indication,
    OmeqResult,
    OmeqWarning,
    RegimenLine,
    Release,
    Route,
    SettingsError,
    Thresholds,
    WarningCode,
    co_medication_classes,
    compute_omeq,
    default_plausibility_limit,
    default_thresholds,
    load_builtin_tables,
    long_acting_substances,
)

D = Decimal
TABLES = load_builtin_tables()


def morphine(mg: str, *, prn: bool = False, release: Release = Release.UNKNOWN) -> RegimenLine:
    maximum = D(1) if prn else None
    return RegimenLine(
        "morphine", Route.ORAL, D(mg), DoseUnit.MG, D(1), prn, maximum, release=release
    )


def omeq(*lines: RegimenLine, atc: tuple[str, ...] = (), table_id: str = "nordic") -> OmeqResult:
    return compute_omeq(
        lines, TABLES[table_id], thresholds=default_thresholds(), co_medication_atc=atc
    )


def codes(result: OmeqResult) -> list[WarningCode]:
    return [w.code for w in result.warnings]


def warning(result: OmeqResult, code: WarningCode) -> OmeqWarning:
    (found,) = [w for w in result.warnings if w.code is code]
    return found


def test_default_thresholds_are_50_and_100_mg_from_the_settings_file() -> None:
    assert default_thresholds() == Thresholds(D(50), D(100))


def test_the_default_plausibility_limit_is_10_g_per_day() -> None:
    assert default_plausibility_limit() == D(10000)


@pytest.mark.parametrize(
    ("mg", "expected"),
    [
        ("49.9", []),
        ("50", [WarningCode.REASSESS_DOSE]),
        ("99.99", [WarningCode.REASSESS_DOSE]),
        ("100", [WarningCode.HIGH_DOSE, WarningCode.REASSESS_DOSE]),
    ],
)
def test_dose_warnings_start_at_or_above_each_threshold(
    mg: str, expected: list[WarningCode]
) -> None:
    assert codes(omeq(morphine(mg))) == expected


def test_a_dose_warning_says_when_only_prn_doses_reach_the_threshold() -> None:
    result = omeq(morphine("40"), morphine("20", prn=True))
    found = warning(result, WarningCode.REASSESS_DOSE)
    assert found.params_dict() == {
        "threshold_mg_per_day": "50",
        "scheduled_mg_per_day": "40",
        "max_mg_per_day": "60",
        "basis": "max_including_prn",
    }


def test_a_dose_warning_based_on_the_scheduled_dose_says_so() -> None:
    found = warning(omeq(morphine("60")), WarningCode.REASSESS_DOSE)
    assert found.param("basis") == "scheduled"


def test_thresholds_are_a_setting_the_caller_passes() -> None:
    strict = Thresholds(reassess_mg_per_day=D(20), high_mg_per_day=D(40))
    result = compute_omeq([morphine("40")], TABLES["nordic"], thresholds=strict)
    assert codes(result) == [WarningCode.HIGH_DOSE, WarningCode.REASSESS_DOSE]
    assert result.thresholds == strict


@pytest.mark.parametrize(
    ("reassess", "high"), [("0", "100"), ("50", "40"), ("-1", "10"), ("NaN", "100")]
)
def test_thresholds_must_be_positive_and_in_order(reassess: str, high: str) -> None:
    with pytest.raises(SettingsError):
        Thresholds(D(reassess), D(high))


def test_two_distinct_opioids_give_several_opioids_naming_them() -> None:
    oxycodone = RegimenLine("oxycodone", Route.ORAL, D(5), DoseUnit.MG, D(2))
    found = warning(omeq(morphine("10"), oxycodone), WarningCode.SEVERAL_OPIOIDS)
    assert found.param("substances") == "morphine, oxycodone"
    assert found.line_indexes == (0, 1)


def test_one_opioid_on_two_lines_is_not_several_opioids() -> None:
    assert codes(omeq(morphine("10"), morphine("5", prn=True))) == []


def test_a_prn_opioid_counts_towards_several_opioids() -> None:
    oxycodone = RegimenLine(
        "oxycodone", Route.ORAL, D(5), DoseUnit.MG, D(1), prn=True, max_doses_per_day=D(2)
    )
    assert WarningCode.SEVERAL_OPIOIDS in codes(omeq(morphine("10"), oxycodone))


def test_substitution_treatment_does_not_count_towards_several_opioids() -> None:
    oud = RegimenLine(
        "buprenorphine",
        Route.SUBLINGUAL,
        D(8),
        DoseUnit.MG,
        D(1),
        indication=Indication.OPIOID_USE_DISORDER,
    )
    result = omeq(morphine("10"), oud)
    assert codes(result) == [WarningCode.SUBSTITUTION_EXCLUDED]
    assert warning(result, WarningCode.SUBSTITUTION_EXCLUDED).line_indexes == (1,)


def test_an_immediate_release_opioid_on_a_schedule_is_short_acting_scheduled() -> None:
    result = omeq(morphine("10", release=Release.IMMEDIATE), morphine("10"))
    assert warning(result, WarningCode.SHORT_ACTING_SCHEDULED).line_indexes == (0,)


@pytest.mark.parametrize(
    "regimen_line",
    [
        morphine("10", release=Release.MODIFIED),
        morphine("10", release=Release.UNKNOWN),
        morphine("10", release=Release.IMMEDIATE, prn=True),
    ],
    ids=["modified", "unknown", "immediate-prn"],
)
def test_modified_unknown_or_as_needed_release_is_not_short_acting_scheduled(
    regimen_line: RegimenLine,
) -> None:
    assert codes(omeq(regimen_line)) == []


@pytest.mark.parametrize("table_id", ["cdc-2022", "nordic"])
@pytest.mark.parametrize("indication", list(Indication))
def test_methadone_always_carries_its_caveat(table_id: str, indication: Indication) -> None:
    methadone = RegimenLine(
        "methadone", Route.ORAL, D(10), DoseUnit.MG, D(1), indication=indication
    )
    assert WarningCode.METHADONE_PRESENT in codes(omeq(methadone, table_id=table_id))


def test_methadone_below_the_lowest_band_warns_that_the_lowest_factor_was_used() -> None:
    methadone = RegimenLine("methadone", Route.ORAL, D(2), DoseUnit.MG, D(2))
    result = omeq(methadone)
    assert codes(result) == [WarningCode.METHADONE_PRESENT, WarningCode.BELOW_LOWEST_BAND]
    assert result.scheduled_mg_per_day == D(20)


@pytest.mark.parametrize(
    ("atc", "expected"),
    [
        pytest.param("N05BA01", WarningCode.BENZODIAZEPINE, id="diazepam-N05BA01"),
        pytest.param("N05CD08", WarningCode.BENZODIAZEPINE, id="midazolam-N05CD08"),
        pytest.param("N05CF01", WarningCode.Z_DRUG, id="zopiclone-N05CF01"),
        pytest.param("N05CF02", WarningCode.Z_DRUG, id="zolpidem-N05CF02"),
        pytest.param("N03AX12", WarningCode.GABAPENTINOID, id="gabapentin-N03AX12"),
        pytest.param("N03AX16", WarningCode.GABAPENTINOID, id="pregabalin-N03AX16"),
        pytest.param(" n03ax16 ", WarningCode.GABAPENTINOID, id="lower-case-with-spaces"),
    ],
)
def test_co_medication_is_recognised_by_atc_prefix(atc: str, expected: WarningCode) -> None:
    result = omeq(morphine("10"), atc=(atc,))
    assert codes(result) == [expected]
    assert warning(result, expected).param("atc_codes") == atc.strip().upper()


@pytest.mark.parametrize("atc", ["N03AX09", "N05AH03", "N02BE01", "N05C", "N05B"])
def test_other_drugs_give_no_co_medication_warning(atc: str) -> None:
    assert codes(omeq(morphine("10"), atc=(atc,))) == []


def test_co_medication_warns_even_without_any_opioid_dose_warning() -> None:
    result = omeq(atc=("N05BA01", "N05BA12", "N03AX16"))
    assert codes(result) == [WarningCode.BENZODIAZEPINE, WarningCode.GABAPENTINOID]
    assert warning(result, WarningCode.BENZODIAZEPINE).param("atc_codes") == "N05BA01, N05BA12"


def test_a_malformed_atc_code_is_an_error_not_ignored() -> None:
    with pytest.raises(CoMedicationError) as caught:
        omeq(morphine("10"), atc=("N05BA01", "diazepam", ""))
    assert caught.value.atc_codes == ("DIAZEPAM", "")
    assert caught.value.code == "invalid_atc_code"


def test_clonazepam_counts_as_a_benzodiazepine_despite_its_antiepileptic_atc() -> None:
    result = omeq(atc=("N03AE01",))
    assert codes(result) == [WarningCode.BENZODIAZEPINE]


def test_the_co_medication_classes_come_from_the_data_file() -> None:
    classes = {c.warning: c.atc_prefixes for c in co_medication_classes()}
    assert classes == {
        "benzodiazepine": ("N05BA", "N05CD", "N03AE01"),
        "z_drug": ("N05CF",),
        "gabapentinoid": ("N03AX12", "N03AX16"),
    }
    assert all(name in set(WarningCode) for name in classes)


def test_warnings_are_listed_in_a_stable_order() -> None:
    oxycodone = RegimenLine(
        "oxycodone", Route.ORAL, D(40), DoseUnit.MG, D(2), release=Release.IMMEDIATE
    )
    result = omeq(oxycodone, morphine("10"), atc=("N03AX16", "N05CF01", "N05BA01"))
    assert codes(result) == [
        WarningCode.HIGH_DOSE,
        WarningCode.REASSESS_DOSE,
        WarningCode.SEVERAL_OPIOIDS,
        WarningCode.SHORT_ACTING_SCHEDULED,
        WarningCode.BENZODIAZEPINE,
        WarningCode.Z_DRUG,
        WarningCode.GABAPENTINOID,
    ]


def methadone_tablet(mg: str, doses: int = 2) -> RegimenLine:
    # The catalogue's methadone tablets and solution are immediate release (methadone-tablet).
    return RegimenLine(
        "methadone", Route.ORAL, D(mg), DoseUnit.MG, D(doses), release=Release.IMMEDIATE
    )


@pytest.mark.parametrize("table_id", ["cdc-2022", "nordic"])
def test_methadone_on_a_schedule_gets_its_own_warning_not_short_acting(table_id: str) -> None:
    # Issue 11: methadone was flagged "short-acting on a schedule, switch to depot".
    result = omeq(methadone_tablet("10"), table_id=table_id)
    assert WarningCode.SHORT_ACTING_SCHEDULED not in codes(result)
    assert warning(result, WarningCode.METHADONE_PRESENT).line_indexes == (0,)


def test_beside_methadone_a_short_acting_opioid_is_still_named_alone() -> None:
    oxycodone = RegimenLine(
        "oxycodone", Route.ORAL, D(5), DoseUnit.MG, D(4), release=Release.IMMEDIATE
    )
    result = omeq(methadone_tablet("10"), oxycodone)
    short = warning(result, WarningCode.SHORT_ACTING_SCHEDULED)
    assert (short.line_indexes, short.param("substances")) == ((1,), "oxycodone")


def test_methadone_is_long_acting_by_the_settings_file() -> None:
    assert "methadone" in long_acting_substances()
