"""MQTT sync: the device agent (outbox up, library down, commands) and the central hub.

Imports no Qt. The device core (device/) never imports this package; it reaches the
network only through here.
"""
