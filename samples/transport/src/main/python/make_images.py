"""Makes the two pictures of the colour-transfer demo from scikit-image's bundled data (run once, offline).

    /usr/bin/python3 samples/transport/src/main/python/make_images.py

Both are public domain (see samples/transport/README.md): skimage.data.coffee() (CC0, Rachel Michetti,
courtesy of Pikolo Espresso Bar) and skimage.data.rocket() (the DSCOVR launch on Falcon 9, SpaceX, released
into the public domain). They are downscaled to 320 pixels wide (anti-aliased) and written as 8-bit RGB
PNGs, so that each stays well under 300 KB in the jar.
"""
import os

import numpy as np
import skimage.data
import skimage.io
import skimage.transform

WIDTH = 320
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "proxima", "samples", "transport")

for name in ("coffee", "rocket"):
    image = getattr(skimage.data, name)()
    height = round(image.shape[0] * WIDTH / image.shape[1])
    small = skimage.transform.resize(image, (height, WIDTH), anti_aliasing=True)
    path = os.path.join(OUT, name + ".png")
    skimage.io.imsave(path, np.round(small * 255).astype(np.uint8), check_contrast=False)
    print(path, small.shape, os.path.getsize(path), "bytes")
