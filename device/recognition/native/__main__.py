"""`python -m device.recognition.native`: build the code scan now (make setup runs it)."""

from device.recognition.native import build

built = build()
print(built if built else "no C compiler found: the face search uses OpenCV's scan")
