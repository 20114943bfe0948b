"""Volunteering (认岗 · 承诺 · 践诺): posts, teams, activities and their completion."""
