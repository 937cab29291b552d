"""Transparency and open data: the funded projects, public without login (D.Lgs. 33/2013 artt. 26-27)."""
