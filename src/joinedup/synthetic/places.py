"""The geography of Nottinghamshire County: its seven districts, their towns and postcodes.

Populations are the 2021 census figures (rounded), used only as weights for where households
live. Each town's outward codes are the real postcode districts that cover it, so a
Bassetlaw address reads S80, S81, DN10, DN11, DN22 or NG22 and a Broxtowe one NG9 or NG16.
Street names are built from common English parts; house numbers and inward codes are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    outward_codes: tuple[str, ...]
    weight: float  # its share of the district's households


@dataclass(frozen=True, slots=True)
class DistrictPlace:
    code: str
    name: str
    population: int
    towns: tuple[Town, ...]
    # North and mid county go to one acute trust, the south (near the city) to the other.
    acute_trust: str


DISTRICT_PLACES: tuple[DistrictPlace, ...] = (
    DistrictPlace(
        "ASH",
        "Ashfield",
        127_200,
        (
            Town("Sutton-in-Ashfield", ("NG17",), 0.35),
            Town("Kirkby-in-Ashfield", ("NG17",), 0.25),
            Town("Hucknall", ("NG15",), 0.30),
            Town("Selston", ("NG16",), 0.10),
        ),
        "north",
    ),
    DistrictPlace(
        "BAS",
        "Bassetlaw",
        116_800,
        (
            Town("Worksop", ("S80", "S81"), 0.45),
            Town("Retford", ("DN22",), 0.30),
            Town("Harworth", ("DN11",), 0.12),
            Town("Misterton", ("DN10",), 0.05),
            Town("Tuxford", ("NG22",), 0.08),
        ),
        "north",
    ),
    DistrictPlace(
        "BRO",
        "Broxtowe",
        109_500,
        (
            Town("Beeston", ("NG9",), 0.35),
            Town("Stapleford", ("NG9",), 0.20),
            Town("Eastwood", ("NG16",), 0.20),
            Town("Kimberley", ("NG16",), 0.15),
            Town("Chilwell", ("NG9",), 0.10),
        ),
        "south",
    ),
    DistrictPlace(
        "GED",
        "Gedling",
        117_100,
        (
            Town("Arnold", ("NG5",), 0.40),
            Town("Carlton", ("NG4",), 0.30),
            Town("Gedling", ("NG4",), 0.12),
            Town("Calverton", ("NG14",), 0.10),
            Town("Burton Joyce", ("NG14",), 0.08),
        ),
        "south",
    ),
    DistrictPlace(
        "MAN",
        "Mansfield",
        110_500,
        (
            Town("Mansfield", ("NG18", "NG19"), 0.70),
            Town("Mansfield Woodhouse", ("NG19",), 0.20),
            Town("Market Warsop", ("NG20",), 0.10),
        ),
        "north",
    ),
    DistrictPlace(
        "NEW",
        "Newark and Sherwood",
        122_900,
        (
            Town("Newark-on-Trent", ("NG24",), 0.40),
            Town("Ollerton", ("NG22",), 0.12),
            Town("Southwell", ("NG25",), 0.10),
            Town("Rainworth", ("NG21",), 0.10),
            Town("Edwinstowe", ("NG21",), 0.08),
            Town("Clipstone", ("NG21",), 0.08),
            Town("Collingham", ("NG23",), 0.06),
            Town("Bilsthorpe", ("NG22",), 0.06),
        ),
        "north",
    ),
    DistrictPlace(
        "RUS",
        "Rushcliffe",
        119_200,
        (
            Town("West Bridgford", ("NG2",), 0.40),
            Town("Bingham", ("NG13",), 0.15),
            Town("Radcliffe on Trent", ("NG12",), 0.10),
            Town("Keyworth", ("NG12",), 0.10),
            Town("Ruddington", ("NG11",), 0.10),
            Town("Cotgrave", ("NG12",), 0.08),
            Town("East Leake", ("LE12",), 0.07),
        ),
        "south",
    ),
)

# Inward codes are a digit then two letters; Royal Mail never uses C, I, K, M, O or V there.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_STEMS: tuple[str, ...] = (
    "Church",
    "Station",
    "Mill",
    "Victoria",
    "Albert",
    "Queen's",
    "King's",
    "Park",
    "Chapel",
    "Forest",
    "Sherwood",
    "Meadow",
    "Willow",
    "Hawthorn",
    "Oak",
    "Ash",
    "Beech",
    "Elm",
    "Cedar",
    "Chestnut",
    "Sycamore",
    "Rowan",
    "Birch",
    "Lime",
    "Maple",
    "Holly",
    "Laurel",
    "Windsor",
    "York",
    "Nottingham",
    "Mansfield",
    "Derby",
    "Trent",
    "Greenwood",
    "Robin Hood",
    "Byron",
    "Welbeck",
    "Clumber",
    "Rufford",
    "Newstead",
    "Portland",
    "Cavendish",
    "Main",
    "High",
    "Back",
    "Orchard",
    "Garden",
    "Field",
    "Spring",
    "Brook",
    "Priory",
    "Abbey",
    "Castle",
    "Manor",
    "Grange",
    "Vicarage",
    "School",
    "Hall",
    "Bridge",
    "Canal",
    "Wharf",
    "Coronation",
    "Jubilee",
    "Cromwell",
    "Nelson",
    "Wellington",
    "Milton",
    "Tennyson",
    "Kipling",
    "Hardy",
    "Dickens",
    "Poplar",
    "Hazel",
    "Heather",
    "Primrose",
    "Bluebell",
    "Foxglove",
    "Lavender",
    "Thorn",
    "Moor",
    "Hill",
    "Valley",
    "Glebe",
    "Sandy",
    "Stone",
    "Colliery",
    "Pit",
    "Lindley",
    "Kingsway",
    "Charnwood",
    "Belvoir",
    "Wolds",
    "Minster",
    "Lancaster",
    "Stanley",
    "Gladstone",
)
# Roads and streets are the most common; mews and rises are rare.
STREET_KINDS: tuple[tuple[str, float], ...] = (
    ("Road", 25),
    ("Street", 20),
    ("Lane", 12),
    ("Close", 12),
    ("Avenue", 10),
    ("Drive", 8),
    ("Crescent", 6),
    ("Way", 5),
    ("Gardens", 4),
    ("Grove", 4),
    ("Terrace", 3),
    ("Court", 3),
    ("Walk", 2),
    ("Rise", 2),
    ("View", 2),
    ("Mews", 1),
)
# When a big town runs out of stem-kind pairs, streets on new estates get these in front.
STREET_QUALIFIERS: tuple[str, ...] = ("", "Upper ", "Lower ", "New ", "Old ", "Little ", "Far ")
