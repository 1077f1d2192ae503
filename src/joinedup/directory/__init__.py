"""Who is who: areas, agencies, teams, professionals and their roles."""
