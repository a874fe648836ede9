"""Clinic Portal content model: schemas, loading and validation, rendering, the MkDocs plugin."""

from portal.loader import check, load_catalogue
from portal.model import Catalogue
from portal.problems import ContentError, Problem

__all__ = ["Catalogue", "ContentError", "Problem", "check", "load_catalogue"]
