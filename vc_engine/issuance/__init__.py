"""Issuing: input records -> Documents -> status entries -> signed renditions -> register rows."""
