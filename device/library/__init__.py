"""The face library: people, their face samples, enrolment, the in-memory matching cache."""
