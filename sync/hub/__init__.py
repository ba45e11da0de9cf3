"""The central hub: stores every device's events once, sequences the face library."""
