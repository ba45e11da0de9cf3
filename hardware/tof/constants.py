"""Numbers of the TOF200F-class sensor and its wire protocols."""

from __future__ import annotations

from typing import Final

# Serial line: 115200 8N1 is the TOF200F factory setting.
DEFAULT_BAUDRATE: Final = 115200

# Modbus RTU
DEFAULT_SLAVE_ID: Final = 0x50
DISTANCE_REGISTER: Final = 0x0010
REGISTER_COUNT: Final = 1
BYTES_PER_REGISTER: Final = 2
CRC_BYTES: Final = 2
REQUEST_LENGTH: Final = 8  # slave, function, addr(2), count(2), crc(2)
RESPONSE_HEADER_LENGTH: Final = 3  # slave, function, byte count
EXCEPTION_RESPONSE_LENGTH: Final = 5  # slave, function|0x80, code, crc(2)
MAX_SLAVE_ID: Final = 247
MAX_REGISTER: Final = 0xFFFF

# Range of the TOF200F: 2 m maximum, 0-3 cm blind zone; 0xFFFF means "no target".
MAX_RANGE_MM: Final = 2000
BLIND_ZONE_MM: Final = 30
NO_TARGET_RAW: Final = 0xFFFF

# Sensor thread defaults
DEFAULT_POLL_HZ: Final = 10.0
DEFAULT_SILENCE_TIMEOUT_S: Final = 1.0
READ_TIMEOUT_S: Final = 0.05  # one blocking read; short so close() is prompt
WRITE_TIMEOUT_S: Final = 1.0
DEFAULT_RECONNECT_INITIAL_S: Final = 0.5
DEFAULT_RECONNECT_MAX_S: Final = 5.0

# ASCII mode
MAX_ASCII_LINE: Final = 64  # longer without a line end = noise; resynchronise
