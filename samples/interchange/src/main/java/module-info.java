/** Writes tensors as .npy, .npz, safetensors, Arrow IPC and PNG, reads them back, and checks they round-trip. */
module dev.proxima.samples.interchange {
    requires dev.proxima.io;
    requires dev.proxima.io.arrow;
}
