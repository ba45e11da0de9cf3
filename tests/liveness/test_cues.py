"""The pure cue functions on synthetic landmark sequences of known geometry."""

from __future__ import annotations

import numpy as np
import pytest

from device.liveness import motion
from device.liveness.evidence import EvidenceWindow, Observation, assess
from device.liveness.policy import (
    DEFAULT_MOTION_MIN,
    CueState,
    LivenessConfig,
    LivenessPolicy,
    LivenessResult,
    LivenessVerdict,
)
from device.liveness.scale import physical_size_mm, scale_cue
from tests.support.synthetic_face import (
    EYE_MM,
    close_eyes,
    face_3d,
    five_point_eye_px,
    flat,
    open_mouth,
    project,
)

FOCAL = 530.0
FACE = face_3d()


def _blink(ears: list[float]) -> float:
    score = motion.blink_score(ears)
    assert score is not None, "too few frames for a blink score"
    return score


def _state(result: LivenessResult, name: str) -> CueState:
    cue = result.cue(name)
    assert cue is not None, f"no {name} cue"
    return cue.state


def _hand_held_photo(frames: int, distance: float, scale: float = 1.0,
                     noise_px: float = 0.0, seed: int = 0) -> list[np.ndarray]:
    """A flat picture of the face moved like a hand moves it: tilt, turn, drift, approach."""
    rng = np.random.default_rng(seed)
    picture = flat(FACE)
    return [project(picture, distance * (1 - 0.02 * k), FOCAL, yaw=rng.uniform(-15, 15),
                    pitch=rng.uniform(-15, 15), roll=rng.uniform(-8, 8),
                    shift_mm=tuple(rng.uniform(-30, 30, 2)), scale=scale, noise_px=noise_px,
                    rng=rng) for k in range(frames)]


def _live_head(frames: int, distance: float, noise_px: float = 0.0,
               seed: int = 0) -> list[np.ndarray]:
    """A real head: it turns (parallax), speaks, blinks once."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(frames):
        face = open_mouth(FACE, 10.0 * (k % 3 == 1))
        face = close_eyes(face, 0.9 if k == frames // 2 else 0.0)
        out.append(project(face, distance, FOCAL, yaw=4.0 * k, pitch=2.0 * np.sin(k),
                           noise_px=noise_px, rng=rng))
    return out


def test_a_plane_follows_a_homography_whatever_the_hand_does() -> None:
    frames = _hand_held_photo(6, 300.0)
    assert max(motion.homography_residual(frames[0], f) for f in frames[1:]) < 1e-6


@pytest.mark.parametrize("change", ["turn", "speak", "blink"])
def test_a_real_face_does_not(change: str) -> None:
    still = project(FACE, 500.0, FOCAL)
    moved = {"turn": project(FACE, 500.0, FOCAL, yaw=20.0, pitch=8.0),
             "speak": project(open_mouth(FACE, 8.0), 500.0, FOCAL),
             "blink": project(close_eyes(FACE, 1.0), 500.0, FOCAL)}[change]
    assert motion.homography_residual(still, moved) > 0.02
    # ... and the residual is in eye distances: the same at any size in the frame
    far = motion.homography_residual(project(FACE, 900.0, FOCAL),
                                     {"turn": project(FACE, 900.0, FOCAL, yaw=20.0, pitch=8.0),
                                      "speak": project(open_mouth(FACE, 8.0), 900.0, FOCAL),
                                      "blink": project(close_eyes(FACE, 1.0), 900.0, FOCAL)
                                      }[change])
    assert far == pytest.approx(motion.homography_residual(still, moved), rel=0.1)


def test_motion_score_separates_a_noisy_photo_from_a_noisy_live_face() -> None:
    times = [k * 0.1 for k in range(8)]
    photo = motion.motion_score(times, _hand_held_photo(8, 300.0, 0.4, noise_px=0.5))
    live = motion.motion_score(times, _live_head(8, 500.0, noise_px=0.5))
    assert photo is not None and live is not None
    assert photo < DEFAULT_MOTION_MIN < live


def test_motion_score_needs_two_pairs_far_enough_apart_in_time() -> None:
    frames = _live_head(3, 500.0)
    assert motion.motion_score([0.0, 0.1], frames[:2]) is None
    assert motion.motion_score([0.0, 0.01, 0.02], frames) is None  # 30 ms: too close
    assert motion.motion_score([0.0, 0.1, 0.2], frames) is not None


def test_small_faces_need_more_motion() -> None:
    assert motion.motion_threshold(0.035, 60.0) == 0.035
    assert motion.motion_threshold(0.035, 10.0) == pytest.approx(0.1)


def test_eye_aspect_ratio_and_blink() -> None:
    open_ear = motion.eye_aspect_ratio(project(FACE, 500.0, FOCAL))
    shut_ear = motion.eye_aspect_ratio(project(close_eyes(FACE, 0.9), 500.0, FOCAL))
    assert 0.25 < open_ear < 0.35 and shut_ear < 0.1
    opened = [project(FACE, 500.0, FOCAL, yaw=y) for y in (0, 3, 6, 9, 12)]
    blinking = [*opened[:2], project(close_eyes(FACE, 0.8), 500.0, FOCAL, yaw=6), *opened[3:]]
    ears = [motion.eye_aspect_ratio(p) for p in blinking]
    assert _blink(ears) >= motion.BLINK_DROP
    assert _blink([motion.eye_aspect_ratio(p) for p in opened]) < 0.1
    # a photo tilted back and forth changes the ratio a little, never like a blink
    tilted = _hand_held_photo(10, 300.0, 0.4)
    assert _blink([motion.eye_aspect_ratio(p) for p in tilted]) < motion.BLINK_DROP
    assert motion.blink_score(ears[:2]) is None


def test_physical_size_from_known_geometry() -> None:
    eye_px = five_point_eye_px(project(FACE, 500.0, FOCAL))
    assert physical_size_mm(eye_px, 500.0, FOCAL) == pytest.approx(EYE_MM, rel=0.05)
    # a phone 250 mm away showing the face at 0.4 x life size
    phone_px = five_point_eye_px(project(flat(FACE), 250.0, FOCAL, scale=0.4))
    assert physical_size_mm(phone_px, 250.0, FOCAL) == pytest.approx(0.4 * EYE_MM, rel=0.05)


def test_scale_cue_states() -> None:
    def cue(eye_px: float, distance: float | None, focal: float = FOCAL) -> CueState:
        return scale_cue([eye_px] * 3, [distance] * 3, focal, 46.0, 80.0).state

    real_px = FOCAL * EYE_MM / 500.0
    assert cue(real_px, 500.0) is CueState.PASS
    assert cue(real_px, 200.0) is CueState.FAIL  # same size in the frame, much closer
    assert cue(real_px, 1000.0) is CueState.FAIL  # a poster far away: too large
    assert cue(real_px, None) is CueState.UNAVAILABLE
    assert cue(real_px, 500.0, focal=0.0) is CueState.UNAVAILABLE
    spiky = scale_cue([real_px] * 5, [500.0, 500.0, 150.0, 500.0, 500.0], FOCAL, 46.0, 80.0)
    assert spiky.state is CueState.PASS  # the median ignores one stray reading


def test_focal_length_follows_the_frame_width() -> None:
    config = LivenessConfig(focal_px=1060.0, calibration_width_px=1280)
    assert config.focal_for_width(640) == pytest.approx(530.0)
    assert LivenessConfig(focal_px=530.0).focal_for_width(1280) == 530.0
    assert LivenessConfig().focal_for_width(640) == 0.0


def _window(frames: list[np.ndarray], distance: float | None, dt: float = 0.1) -> EvidenceWindow:
    window = EvidenceWindow()
    for k, points in enumerate(frames):
        window.add(Observation(k * dt, five_point_eye_px(points), points, distance, 640))
    return window


CALIBRATED = LivenessConfig(LivenessPolicy.STRICT, focal_px=FOCAL)


def test_assess_live_face_at_a_plausible_distance() -> None:
    result = assess(_window(_live_head(4, 500.0), 500.0), CALIBRATED, waited_s=0.3)
    assert result is not None and result.verdict is LivenessVerdict.LIVE
    assert _state(result, "scale") is CueState.PASS
    assert result.as_payload()["cues"]["motion"]["state"] == "pass"


def test_assess_live_video_on_a_phone_is_refused_at_once() -> None:
    """A replay of a real person moves and blinks: only the size gives it away."""
    frames = [project(FACE, 500.0, FOCAL, yaw=4.0 * k) for k in range(4)]
    result = assess(_window(frames, 200.0), CALIBRATED, waited_s=0.0)
    assert result is not None and result.verdict is LivenessVerdict.SPOOF
    assert result.reason == "scale_out_of_range"


def test_assess_waits_for_motion_then_refuses_a_still_picture() -> None:
    frames = _hand_held_photo(12, 500.0, 1.0, noise_px=0.3)  # life-size: the size fits
    window = _window(frames[:5], 500.0)
    assert assess(window, CALIBRATED, waited_s=0.4) is None  # no evidence yet: wait
    window = _window(frames, 500.0)
    result = assess(window, CALIBRATED, waited_s=CALIBRATED.max_wait_s)
    assert result is not None and result.verdict is LivenessVerdict.SPOOF
    assert result.reason == "no_motion" and _state(result, "scale") is CueState.PASS


def test_assess_without_calibration_relies_on_motion() -> None:
    uncalibrated = LivenessConfig(LivenessPolicy.STRICT)
    live = assess(_window(_live_head(4, 500.0), None), uncalibrated, waited_s=0.3)
    assert live is not None and live.verdict is LivenessVerdict.LIVE
    assert _state(live, "scale") is CueState.UNAVAILABLE


def test_assess_calibrated_without_distance_fails_closed() -> None:
    result = assess(_window(_live_head(16, 500.0), None), CALIBRATED,
                    waited_s=CALIBRATED.max_wait_s)
    assert result is not None and result.verdict is LivenessVerdict.SPOOF
    assert result.reason == "no_distance"


def test_window_keeps_the_newest_frames_and_their_pairs() -> None:
    window = _window(_live_head(30, 500.0), 500.0)
    assert len(window) == window.max_frames
    assert window.frames[0][1].t == pytest.approx(0.1 * (30 - window.max_frames))
    assert all(a in {s for s, _ in window.frames} and b in {s for s, _ in window.frames}
               for a, b in window._residuals)
