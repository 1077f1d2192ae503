"""Who lives together: household types in English proportions, and the names families carry.

The mix follows the shape of the ONS household tables (a third of households are one person,
about a quarter have dependent children, a few are three generations), which gives about 2.4
people a household and 22-23% children. Surnames follow custom, because that is what makes
matching hard: married women mostly carry the husband's name with the old one on record,
separated mothers often revert while the children keep the father's, children of unmarried
parents may carry either parent's name.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from joinedup.synthetic.model import Relationship, Sex
from joinedup.synthetic.names import family_name

SAME_SEX_COUPLE_RATE = 0.04
NAME_TAKEN_ON_MARRIAGE = 0.9  # opposite-sex married couples where the wife takes his name


@dataclass(slots=True)
class Member:
    relationship: Relationship
    sex: Sex
    age: int | None  # whole years on the day of the extracts; None for the unborn
    family_name: str
    previous_family_name: str | None = None


# A household type makes the members of one household of that type.
HouseholdType = Callable[[random.Random], list[Member]]


def _either_sex(rng: random.Random) -> Sex:
    return "F" if rng.random() < 0.5 else "M"


def _age(rng: random.Random, low: int, high: int, mode: int) -> int:
    return round(rng.triangular(low, high, mode))


def _person(rng: random.Random, relationship: Relationship, sex: Sex, age: int) -> Member:
    return Member(relationship, sex, age, family_name(rng))


def _couple(rng: random.Random, head_age: int, married_rate: float) -> list[Member]:
    if rng.random() < SAME_SEX_COUPLE_RATE:
        head_sex = partner_sex = _either_sex(rng)
    else:
        head_sex = "M" if rng.random() < 0.6 else "F"
        partner_sex = "F" if head_sex == "M" else "M"
    partner_age = max(18, head_age + rng.randint(-6, 4 if head_sex == "M" else 8))
    head = _person(rng, "head", head_sex, head_age)
    partner = _person(rng, "partner", partner_sex, partner_age)
    if rng.random() < married_rate:
        # The wife takes the husband's name; in same-sex marriages one partner sometimes does.
        wife, husband = (head, partner) if head_sex == "F" else (partner, head)
        if head_sex != partner_sex and rng.random() < NAME_TAKEN_ON_MARRIAGE:
            wife.previous_family_name, wife.family_name = wife.family_name, husband.family_name
        elif head_sex == partner_sex and rng.random() < 0.2:
            partner.previous_family_name, partner.family_name = (
                partner.family_name,
                head.family_name,
            )
    return [head, partner]


def _children(
    rng: random.Random,
    count: int,
    youngest_parent: int,
    surname: str,
    relationship: Relationship = "child",
    adult: bool = False,
) -> list[Member]:
    # Mothers are 17 to 45 at a birth, so older parents have older children.
    oldest_possible = max(0, youngest_parent - 17)
    youngest_possible = max(0, youngest_parent - 45)
    low, high = (
        (18, min(oldest_possible, 30))
        if adult
        else (min(youngest_possible, 17), min(17, oldest_possible))
    )
    kids = []
    for _ in range(count):
        age = rng.randint(low, max(low, high))
        kids.append(Member(relationship, _either_sex(rng), age, surname))
    kids.sort(key=lambda kid: -(kid.age or 0))
    return kids


def _child_count(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5), weights=(45, 38, 12, 4, 1))[0]


def _childrens_name(rng: random.Random, parents: list[Member]) -> str:
    father = next((m for m in parents if m.sex == "M"), parents[0])
    mother = next((m for m in parents if m.sex == "F"), parents[1])
    # Married parents mostly share a name; unmarried ones mostly give the father's.
    return father.family_name if rng.random() < 0.8 else mother.family_name


def single_adult(rng: random.Random) -> list[Member]:
    head = _person(rng, "head", _either_sex(rng), _age(rng, 18, 64, 44))
    if head.sex == "F" and (head.age or 0) > 30 and rng.random() < 0.25:
        # Divorced: kept the married name, or went back to her own.
        head.previous_family_name = family_name(rng)
    return [head]


def single_older(rng: random.Random) -> list[Member]:
    # Widows outnumber widowers: women live longer.
    head = _person(rng, "head", "F" if rng.random() < 0.68 else "M", _age(rng, 65, 100, 72))
    if head.sex == "F" and rng.random() < 0.85:
        head.previous_family_name = family_name(rng)
    return [head]


def couple(rng: random.Random) -> list[Member]:
    # Young couples before children, and empty-nesters after them.
    head_age = _age(rng, 20, 45, 28) if rng.random() < 0.45 else _age(rng, 45, 66, 60)
    return _couple(rng, head_age, married_rate=0.65)


def older_couple(rng: random.Random) -> list[Member]:
    return _couple(rng, _age(rng, 65, 95, 70), married_rate=0.88)


def couple_with_children(rng: random.Random) -> list[Member]:
    parents = _couple(rng, _age(rng, 22, 58, 40), married_rate=0.6)
    youngest = min(m.age or 0 for m in parents)
    return parents + _children(rng, _child_count(rng), youngest, _childrens_name(rng, parents))


def couple_with_adult_children(rng: random.Random) -> list[Member]:
    parents = _couple(rng, _age(rng, 42, 72, 52), married_rate=0.75)
    youngest = min(m.age or 0 for m in parents)
    count = rng.choices((1, 2, 3), weights=(65, 28, 7))[0]
    return parents + _children(rng, count, youngest, _childrens_name(rng, parents), adult=True)


def single_parent(rng: random.Random) -> list[Member]:
    parent = _person(rng, "head", "F" if rng.random() < 0.88 else "M", _age(rng, 18, 56, 37))
    children_name = parent.family_name
    if parent.sex == "F":
        story = rng.random()
        if story < 0.45:
            # Separated from a marriage: she reverts, the children keep the married name.
            children_name = family_name(rng)
            parent.previous_family_name = children_name
        elif story < 0.75:
            children_name = family_name(rng)  # never married: the father's name
    return [parent, *_children(rng, _child_count(rng), parent.age or 18, children_name)]


def single_parent_with_adult_child(rng: random.Random) -> list[Member]:
    parent = _person(rng, "head", "F" if rng.random() < 0.8 else "M", _age(rng, 40, 75, 50))
    return [parent, *_children(rng, 1, parent.age or 40, parent.family_name, adult=True)]


def multi_generation(rng: random.Random) -> list[Member]:
    if rng.random() < 0.5:
        return _parents_moved_in(rng)
    return _daughter_and_grandchildren_at_home(rng)


def _parents_moved_in(rng: random.Random) -> list[Member]:
    parents = _couple(rng, _age(rng, 28, 52, 38), married_rate=0.7)
    head = parents[0]
    youngest = min(m.age or 0 for m in parents)
    kids = _children(rng, _child_count(rng), youngest, _childrens_name(rng, parents))
    # The head's own parents moved in: they carry the head's birth name.
    birth_name = head.previous_family_name or head.family_name
    grandparent_age = (head.age or 30) + rng.randint(22, 35)
    grandparents = [Member("parent", "F", grandparent_age, birth_name)]
    if rng.random() < 0.5:
        grandparents.append(Member("parent", "M", grandparent_age + rng.randint(0, 4), birth_name))
    return parents + kids + grandparents


def _daughter_and_grandchildren_at_home(rng: random.Random) -> list[Member]:
    # A young mother and her children live with her parents: three generations, often three
    # surnames, which is exactly where agencies' records of one family stop agreeing.
    if rng.random() < 0.7:
        grandparents = _couple(rng, _age(rng, 42, 72, 54), married_rate=0.8)
        daughters_name = _childrens_name(rng, grandparents)
    else:
        grandparents = [_person(rng, "head", "F", _age(rng, 40, 72, 52))]
        daughters_name = grandparents[0].family_name
    youngest = min(m.age or 0 for m in grandparents)
    mother = Member("child", "F", max(18, youngest - rng.randint(18, 32)), daughters_name)
    kids_name = daughters_name if rng.random() < 0.5 else family_name(rng)
    count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    grandchildren = _children(rng, count, mother.age or 18, kids_name, "grandchild")
    return [*grandparents, mother, *grandchildren]


def sharers(rng: random.Random) -> list[Member]:
    count = rng.choices((2, 3, 4), weights=(60, 28, 12))[0]
    head = _person(rng, "head", _either_sex(rng), _age(rng, 18, 45, 24))
    if rng.random() < 0.2:
        siblings = [
            Member(
                "sibling",
                _either_sex(rng),
                max(18, (head.age or 18) + rng.randint(-6, 6)),
                head.family_name,
            )
            for _ in range(count - 1)
        ]
        return [head, *siblings]
    others = [
        _person(rng, "other_adult", _either_sex(rng), _age(rng, 18, 45, 24))
        for _ in range(count - 1)
    ]
    return [head, *others]


# Household types and their shares of households (per cent, roughly England 2021).
HOUSEHOLD_TYPES: tuple[tuple[HouseholdType, float], ...] = (
    (single_adult, 15),
    (single_older, 14),
    (couple, 15),
    (older_couple, 9),
    (couple_with_children, 17),
    (single_parent, 8),
    (couple_with_adult_children, 7),
    (single_parent_with_adult_child, 4),
    (multi_generation, 3),
    (sharers, 5),
)
