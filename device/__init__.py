"""FaceGate door-device core: event log, face library, recognition and attendance.

Imports neither Qt nor paho; the GUI (gui/) and the MQTT agent (sync/) are adapters.
"""

__version__ = "0.1.0"
