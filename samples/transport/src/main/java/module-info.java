/**
 * The optimal transport demo: colour transfer between two images with exact EMD and with Sinkhorn, and a
 * point-cloud matching picture, written as PNG files and a JSON summary into a folder.
 */
module dev.proxima.samples.transport {
    requires dev.proxima.transport;
    requires dev.proxima.io;
}
