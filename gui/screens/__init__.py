"""One module per screen; each is a Screen (gui/screens/base.py)."""
