"""Local HTTP API on the LAN (werkzeug): the seeds' endpoints over device/terminal.py."""
