"""Names of what the sync agent keeps in the device database (`sync_state`, `device_meta`).

The agent (sync/device_side.py) writes them; the core's reads (device/queries.py) and the
screens show them. One list, so writer and readers cannot drift apart.
"""

from __future__ import annotations

HUB_ORIGIN = "hub"  # library events come from origins "hub" or "hub-<hub database id>"

# sync_state (integers)
ACKED_SEQ = "hub_acked_seq"  # own events up to here are stored at the hub
SESSION = "mqtt_session"  # the agent's connection counter
HUB_CONTACT = "hub_contact_at"  # unix seconds of the hub's last answer
REJECTED = "hub_rejected_events"  # own events the hub refused (each raised an alert)
INTEGRATION_POSITION = "integration_published_position"  # punch/access topics: done upto

# device_meta (text)
HUB_DB = "hub_db"  # the id of the hub database that acknowledged our events
LIBRARY_ORIGIN = "library_origin"  # whose library sequence this door follows
