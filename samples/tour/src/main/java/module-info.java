/** The Proxima tour: platform report and a few real computations with their timings. */
module dev.proxima.samples.tour {
    requires dev.proxima.tensor;
    requires dev.proxima.nn;
}
