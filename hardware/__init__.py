"""Door hardware behind small interfaces: camera frames, TOF distance, door relay.

Sub-packages, each importable on its own:

- ``hardware.tof``: laser distance sensor on a UART (Modbus RTU or ASCII), wake detection.
- ``hardware.camera``: frame sources (USB, CSI, RTSP, file, folder, fake) and a capture thread.
- ``hardware.relay``: fail-secure door relay (fake, GPIO, USB serial board).
- ``hardware.profiles``: per-board TOML profiles and ``build_hardware``.

Nothing here imports Qt, paho, gui/, sync/ or device/; OpenCV is imported lazily by the
camera code only.
"""
