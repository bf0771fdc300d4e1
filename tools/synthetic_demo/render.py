"""Renders the synthetic motion clips of the HalluciNet demo (in memory).

The writer, dataset layout and CLI are in
``tools/data/make_synthetic_videos.py``;
this module only draws frames. Content of every clip (``T`` frames of
``H x W`` RGB):

* **Background.** A smooth, per-video random texture (a sum of a few random
  sinusoids whose frequencies are whole cycles per frame, so it tiles on a
  torus) on a random dark, low-saturation base colour. It drifts slowly
  (below 0.1 px/frame) in a random direction, and i.i.d. Gaussian pixel noise
  is added to every frame. The drift is independent of the class, so it is a
  nuisance motion that the 3D teacher has to ignore.
* **Object.** One anti-aliased bar (a capsule) with random length (35-50 %
  of the shorter side), random orientation, random start position and a
  random saturated colour (uniform hue).
* **Class = motion type.** The bar moves with a constant velocity over the
  whole clip: translate right / left / up / down, rotate clockwise /
  counter-clockwise about its own centre, and (for more than 6 classes) the
  four diagonal translations. Translations wrap around the frame edges (the
  frame is a torus), so the position in any frame is uniform and carries no
  cue; orientation is uniform too. Speeds are drawn per video: 2.5-5 % of the
  shorter side per frame for translations (13-26 px over 16 frames at 32 px)
  and 5-10 degrees per frame for rotations (80-160 degrees over 16 frames).
  Because the motion is uniform over the whole clip, every frame index
  ``0..T-1`` is a valid start for a 16-frame window and every window shows
  the motion of its class.
* **Weak static cue** (``static_cue``). The object's HSV brightness is drawn
  per video from ``U(0.55, 0.85)`` and shifted by a class-dependent offset
  ``static_cue * (label / (K - 1) - 0.5)``. With ``static_cue`` below the
  0.3 width of the random brightness range, the classes' brightness
  distributions overlap, and even a perfect single-frame observer reaches at
  most about ``(1 + static_cue / 0.3) / K`` accuracy from this cue.
  ``static_cue=0`` removes it.
* **Object hue** (``hue_pull``), the demo's single-frame cue of the motion
  that follows. Each motion class has a typical hue (class ``k`` of ``K``:
  hue ``k / K``), and the object's random hue is pulled towards it by
  ``hue_pull`` on the colour circle (1 gives the class hue). It stands for
  the paper's "object in hand": what an object is hints at how it will
  move (a racket at a swing, a ball at a throw). It is partial and noisy:
  the dataset writer draws ``hue_pull`` per video, sometimes 0, and a
  partly pulled hue can sit nearer another class's hue.
* **Motion trail** (``trail``). Under the object, its poses of the last
  ``TRAIL_FRAMES`` frames are drawn in its colour with an opacity that
  fades with age, like the smear a slow sensor leaves behind a moving
  object: in one frame it shows the direction of the motion. It is the
  physically closest cue, but on 32x32 frames it is too small for a
  ResNet-18 trained from scratch: when the demo was calibrated, a student
  trained with labels on the whole pool stayed at chance after 600
  iterations (trail of 3 to 8 frames, and a single afterimage, at 32 and
  64 px input), so the demo uses the hue cue.

Everything is deterministic given the random generator.
"""
import colorsys

import numpy as np

#: Motion classes, in label order. Translations are (vx, vy) unit directions
#: in image coordinates (x to the right, y downwards); rotations are the sign
#: of the angular velocity (positive = clockwise on screen).
MOTIONS = (
    ('move_right', 'translate', (1.0, 0.0)),
    ('move_left', 'translate', (-1.0, 0.0)),
    ('move_up', 'translate', (0.0, -1.0)),
    ('move_down', 'translate', (0.0, 1.0)),
    ('rotate_cw', 'rotate', 1.0),
    ('rotate_ccw', 'rotate', -1.0),
    ('move_up_right', 'translate', (0.5**0.5, -0.5**0.5)),
    ('move_up_left', 'translate', (-0.5**0.5, -0.5**0.5)),
    ('move_down_right', 'translate', (0.5**0.5, 0.5**0.5)),
    ('move_down_left', 'translate', (-0.5**0.5, 0.5**0.5)),
)

#: The largest ``num_classes`` supported.
MAX_CLASSES = len(MOTIONS)

#: Translation speed range, as a fraction of the shorter side per frame.
TRANSLATE_SPEED = (0.025, 0.05)
#: Rotation speed range, in degrees per frame.
ROTATE_SPEED = (5.0, 10.0)
#: Range of the object's random HSV brightness (before the static cue).
VALUE_RANGE = (0.55, 0.85)
#: Standard deviation of the per-frame pixel noise (0-255 scale).
NOISE_STD = 4.0
#: The smallest supported frame side, in pixels.
MIN_SIDE = 8
#: How many frames back the motion trail reaches, and in how many poses.
TRAIL_FRAMES = 3.0
TRAIL_STEPS = 6
#: Range of a present cue's visibility, as a fraction of ``cue_strength``.
CUE_VISIBILITY = (0.6, 1.0)



def class_names(num_classes=6):
    """Returns the class names for ``num_classes`` motion classes.

    Args:
        num_classes (int): Number of classes, 1 to ``MAX_CLASSES``.

    Returns:
        list[str]: Class names; index i is label i.

    Raises:
        ValueError: If ``num_classes`` is out of range.
    """
    check_int('num_classes', num_classes, 1, MAX_CLASSES)
    return [m[0] for m in MOTIONS[:num_classes]]


def check_int(name, value, low, high=None):
    """Raises ValueError naming ``name`` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f'{name} must be an int, got {value!r}')
    if value < low or (high is not None and value > high):
        bound = f'>= {low}' if high is None else f'in [{low}, {high}]'
        extra = ''
        if name == 'num_classes' and high is not None and value > high:
            extra = (f' (this generator supports at most {high} distinct '
                     'motion classes)')
        raise ValueError(f'{name} must be {bound}, got {value}{extra}')


def check_side(name, value):
    """Checks a frame side: an even int >= MIN_SIDE (mp4v needs even)."""
    check_int(name, value, MIN_SIDE)
    if value % 2:
        raise ValueError(f'{name} must be even (the mp4v codec silently '
                         f'crops odd sizes), got {value}')


#: The students' backgrounds: dark, low-contrast, smooth, slow drift.
BACKGROUND = dict(base=(40.0, 90.0), max_freq=6, amp=(3.0, 8.0),
                  max_drift=0.1)


def background(rng, num_frames, height, width, style=None):
    """Renders the drifting, textured background (float32, 0-255 scale).

    Args:
        rng (np.random.Generator): The clip's random stream.
        num_frames (int): T.
        height (int): H.
        width (int): W.
        style (dict, optional): ``base`` (range of the base grey level),
            ``max_freq`` (largest whole number of texture cycles per
            frame), ``amp`` (range of a texture component's amplitude) and
            ``max_drift`` (px/frame). Defaults to :data:`BACKGROUND`.

    Returns:
        np.ndarray: Array of shape (T, H, W, 3).
    """
    style = BACKGROUND if style is None else style
    t = np.arange(num_frames, dtype=np.float64)[:, None]
    ys = np.arange(height, dtype=np.float64)[None]
    xs = np.arange(width, dtype=np.float64)
    drift_dir = rng.uniform(0, 2 * np.pi)
    drift_speed = rng.uniform(0.0, style['max_drift'])
    dx = drift_speed * np.cos(drift_dir)
    dy = drift_speed * np.sin(drift_dir)
    base = rng.uniform(*style['base']) + rng.uniform(-10.0, 10.0, size=3)
    bg = np.empty((num_frames, height, width, 3), np.float32)
    num_comp = 6
    max_freq = style['max_freq']
    for c in range(3):
        freqs = rng.integers(-max_freq, max_freq + 1, size=(num_comp, 2))
        freqs[(freqs == 0).all(axis=1)] = (1, 1)
        amps = rng.uniform(*style['amp'], size=num_comp)
        phases = rng.uniform(0, 2 * np.pi, size=num_comp)
        # sum_k amp_k * cos(2 pi (fx_k (x - dx t) / W + fy_k (y - dy t) / H)
        # + phase_k), split with cos(a + b) = cos a cos b - sin a sin b into
        # a (T, H) part and a (W,) part; plain broadcasting, no BLAS (whose
        # threads are slow on small, busy machines).
        tex = np.zeros((num_frames, height, width), np.float32)
        for (fx, fy), amp, phase in zip(freqs, amps, phases):
            a = (2 * np.pi * (fy * ys / height -
                              (fx * dx / width + fy * dy / height) * t) +
                 phase)  # (T, H)
            b = 2 * np.pi * fx * xs / width  # (W,)
            cos_a = (amp * np.cos(a)).astype(np.float32)[:, :, None]
            sin_a = (amp * np.sin(a)).astype(np.float32)[:, :, None]
            tex += cos_a * np.cos(b).astype(np.float32)
            tex -= sin_a * np.sin(b).astype(np.float32)
        bg[..., c] = base[c] + tex
    return bg



def pose(center0, angle0, velocity, omega, t, height, width):
    """Object centres (T, 2), wrapped on the torus, and angles at times t.

    Args:
        center0 (np.ndarray): (x, y) at t = 0, in pixels.
        angle0 (float): Angle at t = 0, radians.
        velocity (np.ndarray): (vx, vy) in px/frame.
        omega (float): Angular velocity, rad/frame (clockwise positive).
        t (np.ndarray): (T,) times in frames.
        height (int): H, the torus' height.
        width (int): W, the torus' width.
    """
    centers = center0[None] + t[:, None] * velocity[None]
    centers[:, 0] %= width
    centers[:, 1] %= height
    return centers, angle0 + omega * t


def capsule_alpha(centers, angles, length, thickness, height, width):
    """Anti-aliased capsule coverage (T, H, W, 1), offsets on the torus.

    A capsule is a segment of ``length`` px centred at ``centers`` (T, 2),
    at ``angles`` (T,), thickened to ``thickness`` px.
    """
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx = centers[:, 0, None, None].astype(np.float32)
    cy = centers[:, 1, None, None].astype(np.float32)
    ox = (xx[None] - cx + width / 2) % width - width / 2
    oy = (yy[None] - cy + height / 2) % height - height / 2
    cos = np.cos(angles).astype(np.float32)[:, None, None]
    sin = np.sin(angles).astype(np.float32)[:, None, None]
    along = np.abs(ox * cos + oy * sin)
    across = -ox * sin + oy * cos
    dist = np.sqrt(np.maximum(along - length / 2, 0)**2 + across**2)
    return np.clip(thickness / 2 + 0.5 - dist, 0.0, 1.0)[..., None]


def render_clip(label,
                num_frames=40,
                height=32,
                width=32,
                rng=None,
                static_cue=0.15,
                num_classes=6,
                trail=0.0,
                hue_pull=0.0):
    """Renders one synthetic clip of the given motion class.

    Args:
        label (int): Class label, ``0 <= label < num_classes``.
        num_frames (int): Number of frames T.
        height (int): Frame height H.
        width (int): Frame width W.
        rng (np.random.Generator | int | None): Random source or seed.
        static_cue (float): Strength of the class-dependent brightness shift
            (see the module docstring); 0 disables it.
        num_classes (int): Number of classes K (scales the static cue).
        trail (float): Opacity in [0, 1] of the motion trail, the
            single-frame motion cue (see the module docstring); 0 (the
            default) draws none.

    Returns:
        tuple[np.ndarray, dict]: RGB uint8 frames of shape (T, H, W, 3) and a
        dict of the clip's parameters: ``label``, ``class_name``,
        ``centers`` (T, 2) as (x, y) in pixels, ``angles`` (T,) in radians
        (clockwise on screen is positive), ``velocity`` (vx, vy) px/frame,
        ``angular_velocity`` rad/frame, ``length``, ``thickness``,
        ``color`` (RGB, 0-255), ``value`` (HSV brightness incl. cue) and
        ``trail``.
    """
    check_int('num_classes', num_classes, 1, MAX_CLASSES)
    check_int('label', label, 0, num_classes - 1)
    check_int('num_frames', num_frames, 1)
    check_int('height', height, MIN_SIDE)
    check_int('width', width, MIN_SIDE)
    if not 0.0 <= float(static_cue) <= 1.0:
        raise ValueError(f'static_cue must be in [0, 1], got {static_cue}')
    if not 0.0 <= float(trail) <= 1.0:
        raise ValueError(f'trail must be in [0, 1], got {trail}')
    if not 0.0 <= float(hue_pull) <= 1.0:
        raise ValueError(f'hue_pull must be in [0, 1], got {hue_pull}')
    rng = np.random.default_rng(rng)
    side = min(height, width)
    name, kind, param = MOTIONS[label]

    bg = background(rng, num_frames, height, width)

    # Object: shape, colour, start pose and motion.
    length = rng.uniform(0.35, 0.5) * side
    thickness = max(2.0, 0.08 * side)
    hue = rng.uniform(0.0, 1.0)
    if hue_pull > 0:  # towards the class's typical hue, on the circle
        hue += hue_pull * ((label / num_classes - hue + 0.5) % 1.0 - 0.5)
        hue %= 1.0
    sat = rng.uniform(0.6, 1.0)
    value = rng.uniform(*VALUE_RANGE)
    if num_classes > 1:
        value += static_cue * (label / (num_classes - 1) - 0.5)
    value = float(np.clip(value, 0.2, 1.0))
    color = np.array(colorsys.hsv_to_rgb(hue, sat, value), np.float32) * 255
    center0 = np.array([rng.uniform(0, width), rng.uniform(0, height)])
    angle0 = rng.uniform(0, np.pi)
    if kind == 'translate':
        speed = rng.uniform(*TRANSLATE_SPEED) * side
        velocity = np.array(param) * speed
        omega = 0.0
    else:
        velocity = np.zeros(2)
        omega = param * np.deg2rad(rng.uniform(*ROTATE_SPEED))

    t = np.arange(num_frames, dtype=np.float64)
    centers, angles = pose(center0, angle0, velocity, omega, t, height,
                            width)
    alpha = capsule_alpha(centers, angles, length, thickness, height,
                           width)
    frames = bg
    if trail > 0:
        # The motion trail: the object's poses over the last TRAIL_FRAMES
        # frames (extrapolated before frame 0), fading with age, drawn
        # under the object.
        ages = np.linspace(TRAIL_FRAMES / TRAIL_STEPS, TRAIL_FRAMES,
                           TRAIL_STEPS)
        fade = trail * (1 - (ages - ages[0]) / TRAIL_FRAMES)
        trail_alpha = np.zeros_like(alpha)
        for age, weight in zip(ages, fade):
            past = pose(center0, angle0, velocity, omega, t - age, height,
                         width)
            trail_alpha = np.maximum(
                trail_alpha,
                weight * capsule_alpha(*past, length, thickness, height,
                                        width))
        frames = frames * (1 - trail_alpha) + color * trail_alpha
    frames = frames * (1 - alpha) + color * alpha
    frames += NOISE_STD * rng.standard_normal(frames.shape, dtype=np.float32)
    frames = np.clip(np.rint(frames), 0, 255).astype(np.uint8)
    meta = dict(
        label=int(label),
        class_name=name,
        centers=centers,
        angles=angles,
        velocity=tuple(float(v) for v in velocity),
        angular_velocity=float(omega),
        length=float(length),
        thickness=float(thickness),
        color=tuple(float(c) for c in color),
        value=value,
        trail=float(trail))
    return frames, meta


def draw_cue_visibility(rng, cue_strength, absent_prob):
    """One video's cue visibility (trail opacity, hue pull ...).

    Args:
        rng (np.random.Generator): The video's cue stream (kept apart from
            its clip stream, so the clip is the same with or without cue).
        cue_strength (float): The largest opacity; 0 draws no trail.
        absent_prob (float): Probability that the video has no trail.

    Returns:
        float: 0 with probability ``absent_prob``, else
        ``cue_strength * U(CUE_VISIBILITY)``.
    """
    if cue_strength == 0 or rng.uniform() < absent_prob:
        return 0.0
    return float(cue_strength * rng.uniform(*CUE_VISIBILITY))


#: The single-frame cues ``cue_arguments`` knows.
CUE_KINDS = ('hue', 'trail', 'brightness')


def cue_arguments(kind, visibility, static_cue=0.0):
    """The :func:`render_clip` arguments that draw one video's cue.

    Args:
        kind (str): ``'hue'`` (the object's colour pulled towards its
            class's typical hue), ``'trail'`` (a motion trail) or
            ``'brightness'`` (added to the class-dependent brightness
            shift).
        visibility (float): The cue's visibility in [0, 1] for this video.
        static_cue (float): The dataset's fixed brightness cue.

    Returns:
        dict: ``static_cue`` and the cue's own argument.

    Raises:
        ValueError: If ``kind`` is unknown.
    """
    if kind not in CUE_KINDS:
        raise ValueError(f'cue_kind must be one of {CUE_KINDS}, got {kind!r}')
    if kind == 'brightness':
        return dict(static_cue=min(1.0, static_cue + visibility))
    key = 'hue_pull' if kind == 'hue' else 'trail'
    return {'static_cue': static_cue, key: visibility}
