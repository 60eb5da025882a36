#!/usr/bin/env python3
"""Converts scikit-learn's 8x8 digits set (load_digits, shipped with Debian's python3-sklearn) once into the
sample's resources: digits_images.npy (uint8, 1797 x 64, pixel values 0..16) and digits_labels.npy (uint8, 1797).

Run:  /usr/bin/python3 make_digits.py   (writes into ../resources/dev/proxima/samples/optim/)
The data are the UCI "Optical Recognition of Handwritten Digits" test set as scikit-learn ships it; the
train/test split is made by the sample with a fixed seed, not here.
"""
import os

import numpy as np
from sklearn.datasets import load_digits

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "dev", "proxima", "samples", "optim")


def main():
    digits = load_digits()
    images = digits.data.astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    assert images.shape == (1797, 64) and images.max() == 16 and labels.max() == 9
    np.save(os.path.join(OUT, "digits_images.npy"), images)
    np.save(os.path.join(OUT, "digits_labels.npy"), labels)


if __name__ == "__main__":
    main()
