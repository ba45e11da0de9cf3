"""TOF200F-class laser distance sensor: protocols, sensor thread, wake detection.

Importing this package needs only the standard library (pyserial is imported when a
TofSensor opens its port).
"""

from hardware.tof.ascii import AsciiLineParser
from hardware.tof.base import DistanceSensor, SensorStats, SensorStatus
from hardware.tof.crc import crc16_modbus
from hardware.tof.enums import FaultReason, ReadingStatus, SensorState, TofMode
from hardware.tof.modbus import ModbusResponseParser, build_read_request
from hardware.tof.reading import RangeLimits, Reading, classify
from hardware.tof.sensor import TofSensor
from hardware.tof.simulated import ApproachProfile, SimulatedTof, approach_distance
from hardware.tof.wake import WakeDetector, WakeEvent, WakeState

__all__ = [
    "ApproachProfile",
    "AsciiLineParser",
    "DistanceSensor",
    "FaultReason",
    "ModbusResponseParser",
    "RangeLimits",
    "Reading",
    "ReadingStatus",
    "SensorState",
    "SensorStats",
    "SensorStatus",
    "SimulatedTof",
    "TofMode",
    "TofSensor",
    "WakeDetector",
    "WakeEvent",
    "WakeState",
    "approach_distance",
    "build_read_request",
    "classify",
    "crc16_modbus",
]
