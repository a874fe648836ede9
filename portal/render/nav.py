"""The site's navigation as plain data: policies nested by category so no section grows flat.

The shape is MkDocs' `nav` (lists of paths and {title: children}); other generators take the same
tree with little translation.
"""

from __future__ import annotations

from portal.model import Catalogue
from portal.render.common import (
    CERTIFICATIONS_PAGE,
    COVERAGE_PAGE,
    DUTIES_PAGE,
    REVIEW_PAGE,
    attr,
    module_page,
    policy_page,
    role_page,
)
from portal.render.policies import INDEX as POLICIES_INDEX
from portal.render.policies import category_page
from portal.render.roles import INDEX as ROLES_INDEX
from portal.render.training import INDEX as TRAINING_INDEX

HOME = "index.md"


def site_nav(catalogue: Catalogue, other_pages: list[str], *, policy_pages: bool = True) -> list:
    """Home, the generated sections, then any other hand-written pages in name order.

    Pages are given by path alone so each takes its title from its own front matter.
    With `policy_pages=False` each category section holds only its index page, which lists the
    category's policies: every page of the site then carries a nav of a few dozen links instead of
    a whole category, and a policy's new title changes no other page's nav.
    """
    categories = [
        {attr(c.title): [category_page(c),
                         *((policy_page(p) for p in catalogue.policies_in(c.id)) if policy_pages else ())]}
        for c in catalogue.categories.values()
    ]
    modules = sorted(catalogue.modules.values(), key=lambda m: m.title)
    nav: list = [HOME] if HOME in other_pages else []
    nav += [
        {"Policies": [POLICIES_INDEX, *categories]},
        {"Training": [TRAINING_INDEX, *(module_page(m) for m in modules)]},
        {"Roles": [ROLES_INDEX, *(role_page(r) for r in catalogue.roles)]},
        CERTIFICATIONS_PAGE,
        DUTIES_PAGE,
        COVERAGE_PAGE,
        REVIEW_PAGE,
    ]
    nav += sorted(p for p in other_pages if p != HOME)
    return nav
