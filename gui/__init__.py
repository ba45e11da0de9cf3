"""The door's touchscreen (PyQt5): a thin view over device/ (napari style).

Screens read the core's read models through `device.terminal.Terminal` and follow the door
through `device.door_service.DoorService` events, marshalled onto the GUI thread by a Qt
signal bridge (`gui.bridge`). No business rule lives in a widget: what a decision means,
who may enrol, what a punch is, all of that is decided in device/.

The Qt-free helpers here (`admin_pin`, `enrol_session`, `periods`) are adapters that
belong in device/ eventually; see docs/gui.md. Reads go through device/queries.py.
"""
