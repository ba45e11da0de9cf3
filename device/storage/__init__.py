"""SQLite storage of the device: engine set-up, schema, migrations."""
