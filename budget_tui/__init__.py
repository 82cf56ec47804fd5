"""budget-tui: review and correct OCR-extracted departmental budget tables."""

__version__ = "0.1.0"
