/** An application that uses Proxima's tensors, layers and files. */
module com.example.consumer {
    requires dev.proxima.tensor;
    requires dev.proxima.nn;
    requires dev.proxima.io;
}
