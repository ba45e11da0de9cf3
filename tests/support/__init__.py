"""Helpers shared by the tests. Test modules import them from here, never from a conftest
module or from another test module; conftest modules keep only fixtures.

broker          a Mosquitto of our own (also with the documented config), a cuttable proxy,
                service threads, wait_for
fleet           hubs, agents and punches over a broker, the fleet operator's MQTT client
postgres        the test PostgreSQL the hub tests use
http            real API servers on free ports and their HTTP clients
images          sample photos as uploads and arrays, made-up JPEGs
smtp            a real SMTP server on loopback that keeps what it receives
ports           free localhost ports
paths           the repository, the sample data, child Python processes' environment
hardware        how long hardware tests wait, the fake TOF sensor factory's type
presentations   the liveness tests' photo attack and live video
synthetic_face  a 3-D face of 68 landmarks and a pinhole camera
bad_settings    settings values the API and the CLI once accepted wrongly
terminals       the type of the `make_terminal` fixture (tests/conftest.py)
gui             the touchscreen app on real doors (MakeGui, FakeClock, taps, screenshots)
"""
