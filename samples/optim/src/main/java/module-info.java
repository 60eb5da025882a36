/** The optimizer sample: a small MLP trained on the 8 × 8 digits by several optimizers under the same step budget. */
module dev.proxima.samples.optim {
    requires dev.proxima.tensor;
    requires dev.proxima.nn;
    requires dev.proxima.io;
    requires dev.proxima.optim;
}
