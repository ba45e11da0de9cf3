"""The face models a sample can belong to: an id, its embedding dimension, its engine.

Every face sample names its model (FaceSampleAdded v2); the matcher compares like with
like, so a door never matches a 128-d dlib encoding against a 192-d MobileFaceNet one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EngineName(StrEnum):
    """The `face_engine` setting's choices."""

    DLIB = "dlib"  # HOG + dlib's ResNet, 128-d (face_recognition's models; seed 000)
    MOBILEFACE = "mobileface"  # YuNet + 5-point alignment + MobileFaceNet, 192-d


@dataclass(frozen=True)
class FaceModel:
    model_id: str
    dim: int
    engine: EngineName


DLIB_RESNET = FaceModel("dlib-resnet-v1", 128, EngineName.DLIB)
MOBILEFACENET = FaceModel("yunet2023mar-mobilefacenet192", 192, EngineName.MOBILEFACE)

MODELS: dict[str, FaceModel] = {m.model_id: m for m in (DLIB_RESNET, MOBILEFACENET)}
MODEL_OF_ENGINE: dict[EngineName, FaceModel] = {m.engine: m for m in MODELS.values()}
#: Samples written before samples named their model (FaceSampleAdded v1) are dlib's.
LEGACY_MODEL = DLIB_RESNET
#: The engine of a new door (a library made before engines were a setting stays dlib's:
#: device/library/engine_switch.py pin_existing_engine).
DEFAULT_ENGINE = EngineName.MOBILEFACE
MODEL_ID_PATTERN = r"^[a-z0-9][a-z0-9.+-]{0,63}$"


def model_for(engine: str) -> FaceModel:
    """The model an engine setting produces; unknown names are a one-line error."""
    try:
        return MODEL_OF_ENGINE[EngineName(engine)]
    except ValueError:
        choices = ", ".join(e.value for e in EngineName)
        raise ValueError(f"unknown face engine {engine!r} (choose {choices})") from None


def known_model(model_id: str) -> FaceModel | None:
    return MODELS.get(model_id)
