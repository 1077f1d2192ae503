"""Who lives with whom, and each one's place: households from what the records say."""

from __future__ import annotations

from datetime import date

from joinedup.linkage.households.rules import (
    INSTITUTION,
    Resident,
    address_key,
    group,
    places,
)
from joinedup.people.models import HouseholdRelationship as Place

TODAY = date(2026, 11, 24)


def living_at(person: int, *addresses: str, reference: tuple[int, str] | None = None) -> Resident:
    resident = Resident(person)
    for address in addresses or (None,):
        resident.add(address, "NG18 1AB" if address else None, reference, None)
    return resident


def test_an_address_is_compared_without_case_punctuation_or_abbreviations() -> None:
    assert address_key("4 Mill Ln.", "NG18 1AB") == address_key("4, MILL LANE", "NG18 1AZ")
    assert address_key("4 Mill Lane", "NG18 1AB") != address_key("4 Mill Lane", "NG19 1AB")
    assert address_key("Flat 2, 14 Station Rd", "S80 1AB") != address_key("14 Station Road", "S80")
    assert address_key(None, "NG18 1AB") is None


def test_people_live_where_most_of_their_records_say() -> None:
    # Bea moved in with Ann; one agency still has her old address.
    ann = living_at(1, "4 Mill Lane")
    bea = living_at(2, "4 Mill Lane", "4 Mill Lane", "9 Kings Walk")
    cal = living_at(3, "9 Kings Walk")

    assert group([ann, bea, cal]) == [[1, 2], [3]]


def test_someone_without_an_address_joins_the_household_an_agency_files_them_under() -> None:
    ann = living_at(1, "4 Mill Lane", reference=(7, "FAM-1"))
    baby = living_at(2, reference=(7, "FAM-1"))
    stranger = living_at(3, reference=(8, "FAM-1"))  # another agency's number means nothing

    assert group([ann, baby, stranger]) == [[1, 2], [3]]


def test_more_people_at_one_address_than_a_family_are_each_left_alone() -> None:
    residents = [living_at(n, "The Willows Care Home") for n in range(INSTITUTION + 1)]

    assert group(residents) == [[n] for n in range(INSTITUTION + 1)]


def test_places_come_from_ages_parents_children_and_a_grown_up_child() -> None:
    born = {
        1: date(1985, 3, 1),  # 41
        2: date(1987, 6, 1),  # 39
        3: date(2015, 1, 1),  # 11
        4: date(2004, 1, 1),  # 22, their eldest, still at home
        5: date(1955, 1, 1),  # 71, a grandparent
        6: None,
    }

    assert places(born, TODAY) == {
        1: Place.PARENT,
        2: Place.PARENT,
        3: Place.CHILD,
        4: Place.CHILD,
        5: Place.OTHER_ADULT,
        6: Place.OTHER_ADULT,
    }


def test_without_parents_two_adults_are_partners_and_children_together_are_siblings() -> None:
    assert places({1: date(1990, 1, 1), 2: date(1992, 1, 1)}, TODAY) == {
        1: Place.PARTNER,
        2: Place.PARTNER,
    }
    assert places({1: date(2010, 1, 1), 2: date(2012, 1, 1), 3: date(2007, 1, 1)}, TODAY) == {
        1: Place.SIBLING,
        2: Place.SIBLING,
        3: Place.SIBLING,  # 19, and too young to be their parent
    }
