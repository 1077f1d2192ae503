"""people/schemas.py: an agency's extract read into checked, normalised rows (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.people.schemas import (
    COLUMN_NAMES,
    ExtractRejected,
    read_extract,
)
from joinedup.synthetic import EXTRACT_COLUMNS

TODAY = date(2026, 11, 24)
HEADER = ",".join(COLUMN_NAMES)


def _read(text: str, file_name: str = "NOTTS-POLICE.csv", **options: int) -> list[dict]:
    return read_extract(text.encode(), file_name, TODAY, **options).rows


def _problems(text: str, **options: int) -> list[str]:
    with pytest.raises(ExtractRejected) as rejected:
        read_extract(text.encode(), "NOTTS-POLICE.csv", TODAY, **options)
    return [str(problem) for problem in rejected.value.problems]


def test_the_schema_is_the_one_the_synthetic_county_writes() -> None:
    assert COLUMN_NAMES == EXTRACT_COLUMNS


def test_a_row_is_kept_as_sent_with_identifiers_canonical_and_normal_forms_added() -> None:
    (row,) = _read(
        "record_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn,pnc_id\n"
        "R1, Bill ,O'Brien-Smith,2014-03-27,m,ng18 1ab,943 476 5919,h891234524001,1999/123456X\n"
    )
    assert row["given_name"] == "Bill"
    assert row["family_name"] == "O'Brien-Smith"
    assert row["date_of_birth"] == date(2014, 3, 27)
    assert row["sex"] == "M"
    assert row["postcode"] == "ng18 1ab"
    assert (row["nhs_number"], row["upn"], row["pnc_id"]) == (
        "9434765919",
        "H891234524001",
        "1999/0123456X",
    )
    assert (row["given_name_norm"], row["given_name_canonical"]) == ("bill", "william")
    assert row["family_name_norm"] == "obrien-smith"
    assert (row["postcode_norm"], row["postcode_sector"], row["outward_code"]) == (
        "NG18 1AB",
        "NG18 1",
        "NG18",
    )


def test_empty_cells_and_absent_columns_are_none() -> None:
    (row,) = _read("record_id,given_name,upn\nR1,,\n")
    assert row["given_name"] is None
    assert row["upn"] is None
    assert row["household_ref"] is None


def test_the_source_defaults_to_the_file_name_without_its_extension() -> None:
    rows = _read("record_id,source\nR1,\nR2,MOSAIC\n", file_name="exports/notts-cc.csv")
    assert [row["source"] for row in rows] == ["notts-cc", "MOSAIC"]


def test_the_header_may_be_in_any_order_and_case_after_an_excel_byte_order_mark() -> None:
    rows = read_extract("\ufeffFamily_Name, RECORD_ID\nSmith,R1\n".encode(), "x.csv", TODAY).rows
    assert (rows[0]["record_id"], rows[0]["family_name"]) == ("R1", "Smith")


def test_blank_lines_are_skipped() -> None:
    assert len(_read("record_id\nR1\n\nR2\n,\n")) == 2


def test_a_problem_on_a_row_after_an_address_over_two_lines_gives_the_line_it_starts_on() -> None:
    problems = _problems('record_id,address,sex\nR1,"1 High Street\nWorksop",F\nR2,,Q\n')
    assert problems == ["line 4: sex: 'Q' is not one of F, M or U (not known)"]


def test_every_problem_in_a_row_is_reported() -> None:
    problems = _problems("record_id,date_of_birth,nhs_number\nR1,27/03/2014,123 456 1234\n")
    assert problems == [
        "line 2: nhs_number: NHS number 123 456 1234 fails its check digit: "
        "check it has been copied correctly",
        "line 2: date_of_birth: '27/03/2014' is not a date in the form YYYY-MM-DD, like 2014-03-27",
    ]


def test_a_row_with_the_wrong_number_of_values_says_how_many() -> None:
    (problem,) = _problems("record_id,given_name\nR1,Ann,Smith\n")
    assert problem.startswith("line 2: has 3 values but the header has 2 columns")


def test_a_value_too_long_for_its_column_is_a_problem() -> None:
    (problem,) = _problems(f"record_id,given_name\nR1,{'A' * 101}\n")
    assert problem == "line 2: given_name: is longer than 100 characters"


def test_a_postcode_that_is_not_one_is_a_warning_and_the_row_is_kept() -> None:
    extract = read_extract(b"record_id,postcode\nR1,not known\n", "x.csv", TODAY)
    assert extract.rows[0]["postcode"] == "not known"
    assert extract.rows[0]["postcode_norm"] is None
    assert [str(w) for w in extract.warnings] == [
        "line 2: postcode: 'not known' is not a UK postcode, like NG18 1AB; "
        "kept as written, not used for matching"
    ]


def test_the_problems_listed_stop_at_the_limit_and_the_rest_are_counted() -> None:
    body = "".join(f"R{n},Q\n" for n in range(10))
    with pytest.raises(ExtractRejected) as rejected:
        read_extract(f"record_id,sex\n{body}".encode(), "x.csv", TODAY, problem_limit=3)
    assert len(rejected.value.problems) == 3
    assert rejected.value.total == 10
    assert rejected.value.unlisted == 7
    assert str(rejected.value) == "10 problems in the extract; nothing was imported"


def test_the_digest_of_a_record_ignores_its_source_and_how_identifiers_are_spaced() -> None:
    a, b, c = _read(
        "record_id,source,nhs_number,family_name\n"
        "R1,ONE,943 476 5919,Smith\n"
        "R2,TWO,9434765919,Smith\n"
        "R3,ONE,9434765919,Smyth\n"
    )
    assert a["fields_sha256"] == b["fields_sha256"]
    assert a["fields_sha256"] != c["fields_sha256"]
