"""Faces in images: loading, detection, encoding, 1:N matching, the frame pipeline."""
